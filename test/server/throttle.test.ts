/**
 * Sign-in throttling without lockout of other people's accounts (server/session/throttle.ts,
 * docs/decisions/017-login-throttling-and-origin.md): per (username, client), per username from
 * new devices, per device token, per client address, and NIST's cap on consecutive failures.
 */
import { describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../server/session/policy';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, logEntries, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

const {
  maxFailuresPerUserAndClient,
  maxFailuresPerUserFromNewDevices,
  newDeviceWindowMs,
  maxFailuresPerDevice,
  maxFailuresPerClient,
  loginWindowMs,
  lockoutMs,
} = defaultSessionConfig;

/** Reads Retry-After, checking it is a whole number of seconds above 0. */
function retryAfterSeconds(response: Response): number {
  const header = response.headers.get('Retry-After');
  expect(header).toMatch(/^[1-9]\d*$/);
  return Number(header);
}

const from = (address: string) => ({ headers: { 'X-Test-Client': address } });

describe.each(storeKinds)('with the %s store', (kind) => {
  describe('per username and client address', () => {
    it(`allows ${maxFailuresPerUserAndClient} failures (401), then answers 429 with Retry-After`, async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUserAndClient; i++) {
        await expectError(await api.signIn('alice', `guess-${i}`), 401, 'invalid_credentials');
      }

      const response = await api.signIn('alice', 'another-guess');

      const body = await expectError(response, 429, 'rate_limited');
      expect(retryAfterSeconds(response)).toBe(loginWindowMs / 1000);
      expect(body.retryAfterSeconds).toBe(loginWindowMs / 1000);
    });

    it('refuses even the right password from that address, without setting a cookie', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUserAndClient; i++) await api.signIn('alice', 'wrong');

      const response = await api.signIn('alice', 'alice_secret');

      await expectError(response, 429, 'rate_limited');
      expect(response.headers.get('Set-Cookie')).toBeNull();
    });

    it('locks only that address for that username: another address, or another username, signs in', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUserAndClient; i++) await api.signIn('victim', 'wrong', from('203.0.113.7'));

      expect((await api.signIn('victim', 'victim_secret', from('198.51.100.9'))).status).toBe(201);
      expect((await api.signIn('bob', 'bob_secret', from('203.0.113.7'))).status).toBe(201);
      await expectError(await api.signIn('victim', 'victim_secret', from('203.0.113.7')), 429, 'rate_limited');
    });

    it("never lets VICTIM's failures touch victim: case makes two accounts", async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < 20; i++) await api.signIn('VICTIM', 'wrong', from(`203.0.113.${i}`));

      expect((await api.signIn('victim', 'victim_secret', from('203.0.113.0'))).status).toBe(201);
    });

    it('counts the lockout down as time passes, and lets the right password in once Retry-After has passed', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUserAndClient; i++) await api.signIn('alice', 'wrong');
      server.clock.advance(100_000);

      const waitSeconds = retryAfterSeconds(await api.signIn('alice', 'alice_secret'));
      expect(waitSeconds).toBe((loginWindowMs - 100_000) / 1000);

      server.clock.advance(waitSeconds * 1000 - 1);
      await expectError(await api.signIn('alice'), 429, 'rate_limited');
      server.clock.advance(1);
      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('forgets failures after a successful sign-in, and those older than the window', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerUserAndClient - 1; i++) await api.signIn('alice', 'wrong');
      expect((await api.signIn('alice')).status).toBe(201);
      for (let i = 0; i < maxFailuresPerUserAndClient - 1; i++) await api.signIn('alice', 'wrong');
      server.clock.advance(loginWindowMs);

      await api.signIn('alice', 'wrong');

      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('does not count refused bodies (400) as failures', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerUserAndClient: 1 } });
      const api = apiClient(server);
      await api.signInRaw('{"username":"alice","password":""}');
      await api.signInRaw('{"username":"alice","password":"x","extra":1}');

      expect((await api.signIn('alice')).status).toBe(201);
    });
  });

  describe('per username from new devices, and the device token', () => {
    it('stops a guess spread over twenty addresses for new devices, but the browser that signed in before gets in at once', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const before = await api.signIn('victim', 'victim_secret', from('192.0.2.1'));
      const device = cookieFrom(before, 'did');
      await api.signOut(cookieFrom(before));
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await api.signIn('victim', 'wrong', from(`203.0.113.${i}`))).status);
      expect(statuses.filter((status) => status === 401)).toHaveLength(maxFailuresPerUserFromNewDevices);

      const newDevice = await api.signIn('victim', 'victim_secret', from('198.51.100.9'));
      await expectError(newDevice, 429, 'rate_limited');
      expect(retryAfterSeconds(newDevice)).toBe(newDeviceWindowMs / 1000);

      const knownDevice = await api.signIn('victim', 'victim_secret', { cookie: device, ...from('198.51.100.9') });
      expect(knownDevice.status).toBe(201);
    });

    it('holds a known device back only by its own failures', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const device = cookieFrom(await api.signIn('alice'), 'did');
      for (let i = 0; i < maxFailuresPerDevice; i++) {
        await expectError(await api.signIn('alice', 'wrong', { cookie: device }), 401, 'invalid_credentials');
      }

      await expectError(await api.signIn('alice', 'alice_secret', { cookie: device }), 429, 'rate_limited');
      // The address it used is not held back for other devices: those were the device's failures.
      expect((await api.signIn('alice')).status).toBe(201);
    });

    it('trusts a token only for the username it was issued for, and only for 30 days', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const aliceDevice = cookieFrom(await api.signIn('alice'), 'did');
      for (let i = 0; i < maxFailuresPerUserFromNewDevices; i++) await api.signIn('bob', 'wrong', from(`10.0.0.${i}`));

      await expectError(await api.signIn('bob', 'bob_secret', { cookie: aliceDevice }), 429, 'rate_limited');

      server.clock.advance(defaultSessionConfig.deviceTokenMaxAgeMs);
      for (let i = 0; i < maxFailuresPerUserFromNewDevices; i++)
        await api.signIn('alice', 'wrong', from(`10.0.2.${i}`));
      await expectError(await api.signIn('alice', 'alice_secret', { cookie: aliceDevice }), 429, 'rate_limited');
    });

    it('sets the token HttpOnly, SameSite=Strict for 30 days, stores only its hash, and replaces it at each sign-in', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const first = await api.signIn('alice');
      const line = first.headers.getSetCookie().find((cookie) => cookie.startsWith('did='))!;
      expect(line).toMatch(/; Max-Age=2592000/);
      expect(line).toMatch(/; HttpOnly/);
      expect(line).toMatch(/; SameSite=Strict/);
      expect(line).toMatch(/; Path=\//);
      const token = cookieFrom(first, 'did').slice('did='.length);
      expect(await server.store.getDeviceToken(token, server.clock.now())).toBeUndefined();

      const second = cookieFrom(await api.signIn('alice', 'alice_secret', { cookie: cookieFrom(first, 'did') }), 'did');
      expect(second).not.toBe(cookieFrom(first, 'did'));
      for (let i = 0; i < maxFailuresPerUserFromNewDevices; i++)
        await api.signIn('alice', 'wrong', from(`10.0.0.${i}`));
      await expectError(
        await api.signIn('alice', 'alice_secret', { cookie: cookieFrom(first, 'did') }),
        429,
        'rate_limited',
      );
      expect((await api.signIn('alice', 'alice_secret', { cookie: second })).status).toBe(201);
    });

    it('is __Host-did with Secure over https', async () => {
      const server = await inProcess({ store: kind, trustProxy: true });
      const response = await apiClient(server).signIn('alice', 'alice_secret', {
        headers: { 'X-Forwarded-Proto': 'https' },
      });
      expect(response.headers.getSetCookie().find((cookie) => cookie.startsWith('__Host-did='))).toMatch(/; Secure/);
    });
  });

  describe('per client address', () => {
    it('lets 300 successful sign-ins of different users from one address pass', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      const statuses: number[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const signIns = Array.from({ length: 30 }, (_, i) => api.signIn(`user-${batch}-${i}`));
        statuses.push(...(await Promise.all(signIns)).map((response) => response.status));
      }
      expect(statuses.filter((status) => status === 201)).toHaveLength(300);
    });

    it(`answers 429 after ${maxFailuresPerClient} failures from one address over different usernames`, async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      for (let i = 0; i < maxFailuresPerClient; i++) {
        await expectError(await api.signIn(`user-${i}`, 'wrong', from('203.0.113.7')), 401, 'invalid_credentials');
      }

      const response = await api.signIn('dan', 'dan_secret', from('203.0.113.7'));

      await expectError(response, 429, 'rate_limited');
      expect(retryAfterSeconds(response)).toBeGreaterThan(0);
      expect((await api.signIn('dan', 'dan_secret', from('198.51.100.9'))).status).toBe(201);
    });

    it.each([
      ['2001:db8::1', '2001:db8::2', 'one IPv6 /64'],
      ['2001:db8:0:0:ffff::1', '2001:0db8::abcd:1', 'one IPv6 /64, written two ways'],
      ['::ffff:127.0.0.9', '127.0.0.9', 'an IPv4-mapped address and its IPv4'],
    ])('counts %s and %s as one client (%s)', async (first, second) => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      for (const username of ['ann', 'ben', 'cat']) await api.signIn(username, 'wrong', from(first));

      await expectError(await api.signIn('dan', 'dan_secret', from(second)), 429, 'rate_limited');
    });

    it('keeps another /64 apart', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      for (const username of ['ann', 'ben', 'cat']) await api.signIn(username, 'wrong', from('2001:db8:0:1::1'));

      expect((await api.signIn('dan', 'dan_secret', from('2001:db8:0:2::1'))).status).toBe(201);
    });

    it('lets the client in again after Retry-After', async () => {
      const server = await inProcess({ store: kind, session: { maxFailuresPerClient: 3 } });
      const api = apiClient(server);
      for (const username of ['ann', 'ben', 'cat']) await api.signIn(username, 'wrong', from('203.0.113.7'));
      const waitSeconds = retryAfterSeconds(await api.signIn('dan', 'dan_secret', from('203.0.113.7')));

      server.clock.advance(waitSeconds * 1000);

      expect((await api.signIn('dan', 'dan_secret', from('203.0.113.7'))).status).toBe(201);
    });
  });

  describe('the cap on consecutive failures (NIST SP 800-63B)', () => {
    it('locks the username for an hour after 100 for every device without its token, and logs a warning', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      // 100 failures within the other limits: 5 per address, 10 per new-device window.
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 10; i++) await api.signIn('victim', 'wrong', from(`10.${round}.0.${i}`));
        server.clock.advance(newDeviceWindowMs);
      }

      const newDevice = await api.signIn('victim', 'victim_secret', from('198.51.100.1'));
      await expectError(newDevice, 429, 'rate_limited');
      // Locked at the 100th failure, one new-device window ago.
      expect(retryAfterSeconds(newDevice)).toBe((lockoutMs - newDeviceWindowMs) / 1000);
      const warnings = logEntries(server.logs).filter((entry) => entry.event === 'sign_in_locked');
      expect(warnings).toEqual([expect.objectContaining({ level: 'warn', user: 'victim', consecutiveFailures: 100 })]);

      server.clock.advance(retryAfterSeconds(newDevice) * 1000);
      expect((await api.signIn('victim', 'victim_secret', from('198.51.100.1'))).status).toBe(201);
    });

    it('lets a browser with a valid device token sign in while the username is locked', async () => {
      const server = await inProcess({ store: kind, session: { maxConsecutiveFailures: 6 } });
      const api = apiClient(server);
      const device = cookieFrom(await api.signIn('victim'), 'did');
      for (let i = 0; i < 6; i++) await api.signIn('victim', 'wrong', from(`10.0.0.${i}`));
      await expectError(await api.signIn('victim', 'victim_secret', from('198.51.100.1')), 429, 'rate_limited');

      const known = await api.signIn('victim', 'victim_secret', { cookie: device, ...from('198.51.100.1') });

      expect(known.status).toBe(201);
      // Still held back by its own failures, as always.
      const again = cookieFrom(known, 'did');
      for (let i = 0; i < maxFailuresPerDevice; i++) await api.signIn('victim', 'wrong', { cookie: again });
      await expectError(await api.signIn('victim', 'victim_secret', { cookie: again }), 429, 'rate_limited');
      // A forged token is no token: the lock holds.
      await expectError(
        await api.signIn('victim', 'victim_secret', { cookie: 'did=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
        429,
        'rate_limited',
      );
    });

    it('needs a whole new run of LOGIN_LOCK_FAILURES failures after a lock ends, not one more', async () => {
      const lock = { maxConsecutiveFailures: 6, lockoutMs: newDeviceWindowMs };
      const server = await inProcess({ store: kind, session: lock });
      const api = apiClient(server);
      const device = cookieFrom(await api.signIn('victim'), 'did');
      const fail = (address: string) => api.signIn('victim', 'wrong', from(address));
      for (let i = 0; i < 6; i++) await fail(`10.0.0.${i}`);
      server.clock.advance(lock.lockoutMs);

      // One guess after the lock (the old rule locked again here), then four more: five in a row.
      for (let i = 0; i < 5; i++) await expectError(await fail(`10.0.1.${i}`), 401, 'invalid_credentials');
      expect((await api.signIn('victim', 'victim_secret', from('198.51.100.1'))).status).toBe(201);
      server.clock.advance(newDeviceWindowMs);

      // The sixth of a new run locks it again.
      for (let i = 0; i < 6; i++) await fail(`10.0.2.${i}`);
      await expectError(await api.signIn('victim', 'victim_secret', from('198.51.100.2')), 429, 'rate_limited');
      expect(logEntries(server.logs).filter((entry) => entry.event === 'sign_in_locked')).toHaveLength(2);
      // All the while, the browser the user signed in on gets in.
      expect((await api.signIn('victim', 'victim_secret', { cookie: device })).status).toBe(201);
    });

    it('keeps a device-token holder in for a whole day of one guess an hour (the review scenario)', async () => {
      const server = await inProcess({ store: kind });
      const api = apiClient(server);
      let device = cookieFrom(await api.signIn('victim'), 'did');
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 10; i++) await api.signIn('victim', 'wrong', from(`10.${round}.0.${i}`));
        server.clock.advance(newDeviceWindowMs);
      }
      let refused = 0;
      for (let hour = 0; hour < 24; hour++) {
        await api.signIn('victim', 'wrong', from(`10.99.${hour}.1`));
        server.clock.advance(30 * 60_000);
        const known = await api.signIn('victim', 'victim_secret', { cookie: device });
        if (known.status === 201) device = cookieFrom(known, 'did');
        else refused++;
        server.clock.advance(30 * 60_000);
      }
      expect(refused).toBe(0);
    });
  });
});
