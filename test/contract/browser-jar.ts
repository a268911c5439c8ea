/**
 * What the contract targets share: a browser's cookie jar (the mock's own, mocks/cookie-jar.ts)
 * and the replay of copied `name=value` pairs into it.
 */
import type { CookieJar } from '../../mocks/cookie-jar';

/** Puts copied `name=value` pairs into `jar` as the server's session cookie would be set. */
export function replaceCookies(jar: CookieJar, pairs: string[], url: string): void {
  jar.clear();
  jar.store(
    pairs.map((pair) => `${pair}; Path=/; HttpOnly; SameSite=Strict`),
    url,
  );
}
