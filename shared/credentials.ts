/**
 * The demo sign-in rule, in one place for the server that enforces it and the login page that
 * states it: any username up to `maxUsernameLength` characters, and the password is the
 * username followed by `passwordSuffix`.
 *
 * Unlike `contract.ts`, the SPA imports values from here: a number and a string, nothing else.
 */

/** Longest accepted username, in characters (UTF-16 code units). */
export const maxUsernameLength = 64;

/** The password is the username followed by this. */
export const passwordSuffix = '_secret';

/** The one password the demo rule accepts for `username`. */
export function demoPassword(username: string): string {
  return username + passwordSuffix;
}
