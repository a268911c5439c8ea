/** Login throttling per username and per client ([docs/design.md#security-model](../../docs/design.md#security-model)). */
import { describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../server/config';
import { apiClient, expectError, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

const { maxFailuresPerUser, loginWindowMs } = defaultSessionConfig;

/** Reads Retry-After, checking it is a whole number of seconds above 0. */
function retryAfterSeconds(response: Response): number {
  const header = response.headers.get('Retry-After');
  expect(header).toMatch(/^[1-9]\d*$/);
  return Number(header);
}

describe.each(storeKinds)('with the %s store', (kind) => {
  describe('per username', () => {
    it(`allows ${maxFailuresPerUser} failures (401), then answers 429 with Retry-After`, async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) {
        await expectError(await api.signIn('alice', `guess-${i}`), 401, 'invalid_credentials');
      }

      const response = await api.signIn('alice', 'another-guess');

      const body = await expectError(response, 429, 'rate_limited');
      expect(retryAfterSeconds(response)).toBe(loginWindowMs / 1000);
      expect(body.retryAfterSeconds).toBe(loginWindowMs / 1000);
    });

    it('refuses even the right password during the lockout, without setting a cookie', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) await api.signIn('alice', 'wrong');

      const response = await api.signIn('alice', 'alice_secret');

      await expectError(response, 429, 'rate_limited');
      expect(response.headers.get('Set-Cookie')).toBeNull();
    });

    it('counts the lockout down as time passes', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) await api.signIn('alice', 'wrong');
      server.clock.advance(100_000);

      const response = await api.signIn('alice', 'alice_secret');

      expect(retryAfterSeconds(response)).toBe((loginWindowMs - 100_000) / 1000);
    });

    it('does not lock out another username', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) await api.signIn('alice', 'wrong');

      expect((await api.signIn('bob')).status).toBe(201);
    });

    it('shares one budget between spellings that differ only in case', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) await api.signIn(i % 2 ? 'Alice' : 'alice', 'wrong');

      await expectError(await api.signIn('ALICE'), 429, 'rate_limited');
    });

    it('lets the right password in once Retry-After has passed', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser; i++) await api.signIn('alice', 'wrong');
      const waitSeconds = retryAfterSeconds(await api.signIn('alice', 'alice_secret'));

      server.clock.advance(waitSeconds * 1000 - 1);
      await expectError(await api.signIn('alice'), 429, 'rate_limited');
      server.clock.advance(1);

      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('forgets failures after a successful sign-in', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser - 1; i++) await api.signIn('alice', 'wrong');
      expect((await api.signIn('alice')).status).toBe(201);

      for (let i = 0; i < maxFailuresPerUser - 1; i++) await api.signIn('alice', 'wrong');

      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('forgets failures older than the window', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUser - 1; i++) await api.signIn('alice', 'wrong');
      server.clock.advance(loginWindowMs);

      await api.signIn('alice', 'wrong');

      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('does not count refused bodies (400) as failures', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerUser: 1 } });
      const api = apiClient(server);
      await api.signInRaw('{"username":"alice","password":""}');
      await api.signInRaw('{"username":"alice","password":"x","extra":1}');

      expect((await api.signIn('alice')).status).toBe(201);
    });
  });

  describe('per client', () => {
    it('answers 429 after too many failures from one client over different usernames', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      const fromClientA = { headers: { 'X-Test-Client': '203.0.113.7' } };
      for (const username of ['ann', 'ben', 'cat']) {
        await expectError(await api.signIn(username, 'wrong', fromClientA), 401, 'invalid_credentials');
      }

      const response = await api.signIn('dan', 'dan_secret', fromClientA);

      await expectError(response, 429, 'rate_limited');
      expect(retryAfterSeconds(response)).toBeGreaterThan(0);
    });

    it('does not lock out another client, even for the same usernames', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      for (const username of ['ann', 'ben', 'cat']) {
        await api.signIn(username, 'wrong', { headers: { 'X-Test-Client': '203.0.113.7' } });
      }

      const response = await api.signIn('dan', 'dan_secret', { headers: { 'X-Test-Client': '198.51.100.9' } });

      expect(response.status).toBe(201);
    });

    it('lets the client in again after Retry-After', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      const fromClientA = { headers: { 'X-Test-Client': '203.0.113.7' } };
      for (const username of ['ann', 'ben', 'cat']) await api.signIn(username, 'wrong', fromClientA);
      const waitSeconds = retryAfterSeconds(await api.signIn('dan', 'dan_secret', fromClientA));

      server.clock.advance(waitSeconds * 1000);

      expect((await api.signIn('dan', 'dan_secret', fromClientA)).status).toBe(201);
    });
  });
});
