/** Every route of the SPA, in one place. */
export const paths = {
  home: '/',
  account: '/account',
  notes: '/notes',
  login: '/login',
} as const;

/**
 * `next` is only ever a same-origin path: `/x` and `/x?y#z`, never `//host`, `/\host`,
 * `https://host` or anything with control characters. Anything else means home.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return paths.home;
  if (/[\p{Cc}\\]/u.test(next)) return paths.home;
  try {
    const base = 'http://same-origin.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return paths.home;
    // The login page is never a place to return to.
    if (url.pathname === paths.login) return paths.home;
    // The parser resolves dot segments: `/..//evil.example` comes out as `//evil.example`.
    const path = url.pathname + url.search + url.hash;
    return path.startsWith('//') || path.startsWith('/\\') ? paths.home : path;
  } catch {
    return paths.home;
  }
}
