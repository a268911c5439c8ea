import { demoPassword, maxUsernameLength } from '../../shared/credentials';
import { webDigests, type Digests } from './ids';

/** Why a username is refused, or undefined when it is acceptable. */
export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'Username is required.';
  if (username.length > maxUsernameLength) return `Username must be at most ${maxUsernameLength} characters.`;
  if (/\p{Cc}/u.test(username)) return 'Username must not contain control characters.';
  return undefined;
}

/**
 * True when `password` is exactly the demo rule's `demoPassword(username)`. Compares fixed-length
 * digests without stopping at the first difference, so the time taken says nothing about how much
 * matched.
 */
export async function passwordMatches(
  username: string,
  password: string,
  { sha256 }: Pick<Digests, 'sha256'> = webDigests,
): Promise<boolean> {
  const [given, expected] = await Promise.all([sha256(password), sha256(demoPassword(username))]);
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= given[i] ^ expected[i];
  return difference === 0;
}
