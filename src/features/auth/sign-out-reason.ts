/**
 * Why the user is on the login page after having been signed in. `revoked`: the user ended this
 * session from another one (the account page's session list).
 */
export const signOutReasons = ['idle', 'expired', 'signed-out', 'other-tab', 'absolute', 'revoked'] as const;
export type SignOutReason = (typeof signOutReasons)[number];

export function isSignOutReason(value: string | null): value is SignOutReason {
  return (signOutReasons as readonly (string | null)[]).includes(value);
}
