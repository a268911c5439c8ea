/**
 * The session cookie and its id ([docs/design.md#security-model](../../docs/design.md#security-model)),
 * and replays of a copied cookie ([docs/design.md#invariants](../../docs/design.md#invariants), invariant 4).
 */
import { describe, expect, it } from 'vitest';
import { cookieFrom, setCookieLine } from '../support/test-server';
import { apiClient, expectError, sessionIdOf, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

/** The attributes of a Set-Cookie header, lower-cased names, e.g. `{ httponly: true, path: '/' }`. */
function cookieAttributes(setCookie: string): Record<string, string | true> {
  const [, ...parts] = setCookie.split(';').map((part) => part.trim());
  return Object.fromEntries(
    parts.map((part) => {
      const [name, ...value] = part.split('=');
      return [name.toLowerCase(), value.length ? value.join('=') : true];
    }),
  );
}

describe.each(storeKinds)('with the %s store', (kind) => {
  describe('the session cookie', () => {
    it('is `sid`, HttpOnly, SameSite=Strict, Path=/, and a browser-session cookie (no Max-Age, no Expires) over http', async () => {
      const server = await inProcess({ store: kind });
      const setCookie = setCookieLine(await apiClient(server).signIn())!;

      expect(setCookie).toMatch(/^sid=/);
      expect(cookieAttributes(setCookie)).toEqual({ httponly: true, samesite: 'Strict', path: '/' });
    });

    it("is `__Host-sid` with Secure when cookieSecure is 'always'", async () => {
      const server = await inProcess({ store: kind, session: { cookieSecure: 'always' } });
      const setCookie = setCookieLine(await apiClient(server).signIn())!;

      expect(setCookie).toMatch(/^__Host-sid=/);
      expect(cookieAttributes(setCookie)).toEqual({ httponly: true, samesite: 'Strict', path: '/', secure: true });
    });

    it('is `__Host-sid` with Secure behind a trusted https proxy (X-Forwarded-Proto) in auto mode, and works there', async () => {
      const server = await inProcess({ store: kind, trustProxy: true });
      const api = apiClient(server);
      const viaHttps = { 'X-Forwarded-Proto': 'https' };
      const response = await api.signIn('test', 'test_secret', { headers: viaHttps });
      const setCookie = setCookieLine(response)!;

      expect(setCookie).toMatch(/^__Host-sid=/);
      expect(cookieAttributes(setCookie)).toEqual({ httponly: true, samesite: 'Strict', path: '/', secure: true });
      expect((await api.getSession(cookieFrom(response), viaHttps)).status).toBe(200);
    });

    it('is never sent as `sid` when cookieSecure is always: a plain `sid` cookie is not a session', async () => {
      const server = await inProcess({ store: kind, session: { cookieSecure: 'always' } });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      expect((await api.getSession(cookie)).status).toBe(200);
      await expectError(await api.getSession(`sid=${sessionIdOf(cookie)}`), 401, 'unauthenticated');
    });

    it('is cleared on sign-out with the same attributes and Max-Age=0', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      const setCookie = (await api.signOut(cookie)).headers.get('Set-Cookie')!;

      expect(setCookie).toMatch(/^sid=;/);
      expect(cookieAttributes(setCookie)).toEqual({ httponly: true, samesite: 'Strict', path: '/', 'max-age': '0' });
    });
  });

  describe('the session id', () => {
    it('is 43 base64url characters (32 random bytes)', async () => {
      const server = await inProcess({ store: kind });
      const cookie = cookieFrom(await apiClient(server).signIn());

      expect(sessionIdOf(cookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('is new at every sign-in, also for the same user', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const ids = new Set<string>();
      for (let i = 0; i < 20; i++) ids.add(sessionIdOf(cookieFrom(await api.signIn())));

      expect(ids.size).toBe(20);
    });
  });

  describe('a copied cookie', () => {
    it('gets 401 everywhere after sign-out', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      const copy = cookie;
      await api.signOut(cookie);

      await expectError(await api.getSession(copy), 401, 'unauthenticated');
      await expectError(await api.hello(copy), 401, 'unauthenticated');
      await expectError(await api.heartbeat(copy), 401, 'unauthenticated');
    });

    it('gets 401 after idle expiry, and a heartbeat cannot bring it back', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const copy = cookieFrom(await api.signIn());
      server.clock.advance(60_000);

      await expectError(await api.heartbeat(copy), 401, 'unauthenticated');
      await expectError(await api.getSession(copy), 401, 'unauthenticated');
      await expectError(await api.hello(copy), 401, 'unauthenticated');
    });

    it('gets 401 after a new sign-in on the same browser (no fixation)', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const old = cookieFrom(await api.signIn());

      // The browser sends its old cookie along with the new sign-in.
      const fresh = cookieFrom(await api.signIn('test', 'test_secret', { cookie: old }));

      expect(fresh).not.toBe(old);
      await expectError(await api.getSession(old), 401, 'unauthenticated');
      await expectError(await api.hello(old), 401, 'unauthenticated');
      expect((await api.getSession(fresh)).status).toBe(200);
    });

    it('is not revoked by a failed sign-in on the same browser', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());

      await api.signIn('test', 'wrong', { cookie });

      expect((await api.getSession(cookie)).status).toBe(200);
    });

    it('tells the browser to drop it when it is no longer valid', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const cookie = cookieFrom(await api.signIn());
      await api.signOut(cookie);

      const response = await api.getSession(cookie);

      expect(response.headers.get('Set-Cookie')).toMatch(/^sid=;.*Max-Age=0/);
    });
  });
});
