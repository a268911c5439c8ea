/**
 * The demo sign-in rule, in one place for the server that enforces it and the login page that
 * states and pre-checks it: a username in one canonical form (below), up to
 * `maxUsernameLength` characters, and the password is the username followed by `passwordSuffix`.
 *
 * Unlike `contract.ts`, the SPA imports values from here: plain data and pure functions, nothing else.
 */

/** Longest accepted username, in characters (UTF-16 code units, after NFC normalisation). */
export const maxUsernameLength = 64;

/** The password is the username followed by this. */
export const passwordSuffix = '_secret';

/** The one password the demo rule accepts for `username` (canonical, see `canonicalUsername`). */
export function demoPassword(username: string): string {
  return username + passwordSuffix;
}

// With the `u` flag a surrogate range matches only a surrogate that is not half of a pair.
const loneSurrogate = /[\uD800-\uDFFF]/u;
const controlCharacter = /\p{Cc}/u;
// Invisible characters that change how a name looks or reads: U+202E (right-to-left override),
// U+200B (zero-width space), U+FEFF, soft hyphen...
const formatCharacter = /\p{Cf}/u;
// U+2028 and U+2029 end a line in JavaScript and in many log readers.
const lineOrParagraphSeparator = /[\p{Zl}\p{Zp}]/u;
// Code points that render as nothing (Unicode's Default_Ignorable_Code_Point, which PRECIS and
// UTS #39 refuse in identifiers): the combining grapheme joiner U+034F, variation selectors
// (U+FE0F, ...), the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, and the like. Plus the one
// blank-looking symbol that is not default-ignorable: U+2800 BRAILLE PATTERN BLANK.
const invisibleOrBlank = /[\p{Default_Ignorable_Code_Point}\u2800]/u;
// Every space but U+0020 (no-break, thin, hair, ideographic, ...): each looks like another
// (PRECIS maps them; here they are refused, so that one name has one spelling).
const nonAsciiSpace = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/u;
// A combining mark with nothing visible to sit on (at the start, or after a space) shows alone,
// or as a blank (PRECIS and IDNA refuse a leading combining mark).
const loneCombiningMark = /(^|[ ])\p{M}/u;

/** True when `text` is well-formed UTF-16: no half of a surrogate pair on its own. */
export function isWellFormedText(text: string): boolean {
  return !loneSurrogate.test(text);
}

/**
 * Why a username is refused, or undefined when it is acceptable. One name must have one spelling:
 * a string that is not well-formed UTF-16 cannot be stored or hashed without loss, and invisible
 * or blank-looking characters, spaces other than U+0020, a lone combining mark or surrounding
 * spaces would let two names look alike (in the spirit of PRECIS UsernameCasePreserved, RFC 8265,
 * and UTS #39, keeping the ordinary space and case). Checked before
 * `canonicalUsername`; the length limit applies to the canonical form.
 */
export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'Username is required.';
  if (!isWellFormedText(username)) return 'Username must be valid Unicode text (it has a broken character).';
  if (username.trim() === '') return 'Username must not be only spaces.';
  if (username.trim() !== username) return 'Username must not start or end with a space.';
  if (controlCharacter.test(username)) return 'Username must not contain control characters.';
  if (formatCharacter.test(username)) return 'Username must not contain invisible formatting characters.';
  if (lineOrParagraphSeparator.test(username)) return 'Username must not contain line or paragraph separators.';
  if (invisibleOrBlank.test(username)) return 'Username must not contain invisible or blank-looking characters.';
  if (nonAsciiSpace.test(username)) return 'Username must not contain spaces other than the ordinary space.';
  if (loneCombiningMark.test(username)) {
    return 'Username must not have an accent or other combining mark on its own (at the start or after a space).';
  }
  if (canonicalUsername(username).length > maxUsernameLength) {
    return `Username must be at most ${maxUsernameLength} characters.`;
  }
  return undefined;
}

/**
 * The one form of an accepted username (Unicode NFC: `e` + U+0301 becomes `é`), used for the
 * password check, every throttle key, the stored session and what the page shows. Case is kept:
 * `Alice` and `alice` are two accounts.
 */
export function canonicalUsername(username: string): string {
  return username.normalize('NFC');
}
