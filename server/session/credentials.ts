import { demoPassword } from '../../shared/credentials';
import { webDigests, type Digests } from './ids';

/**
 * Whether `password` is right for `username` (canonical, shared/credentials.ts). The session rules
 * take one (`createSessions`); the demo rule below is one implementation, a user directory would
 * be another.
 */
export type CredentialCheck = (username: string, password: string) => Promise<boolean>;

/** The demo rule as a `CredentialCheck`: the password is `<username>_secret` (`passwordMatches`). */
export const demoCredentials =
  (digests: Pick<Digests, 'sha256'> = webDigests): CredentialCheck =>
  (username, password) =>
    passwordMatches(username, password, digests);

/**
 * True when `password` is exactly the demo rule's `demoPassword(username)`, both in NFC (as NIST
 * SP 800-63B asks: the same password typed on two keyboards may arrive composed or decomposed).
 * `username` is canonical already (shared/credentials.ts); the route refuses a password that is
 * not well-formed UTF-16, which UTF-8 hashing would otherwise make equal to another one.
 * Compares fixed-length digests without stopping at the first difference, so the time taken says
 * nothing about how much matched.
 */
export async function passwordMatches(
  username: string,
  password: string,
  { sha256 }: Pick<Digests, 'sha256'> = webDigests,
): Promise<boolean> {
  const [given, expected] = await Promise.all([
    sha256(password.normalize('NFC')),
    sha256(demoPassword(username).normalize('NFC')),
  ]);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given[i] ^ expected[i];
  return difference === 0;
}
