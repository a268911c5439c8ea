/** One canonical username (shared/credentials.ts): refused spellings, NFC, case kept, clean logs. */
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../server/logger';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, logEntries, sessionBody, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

describe('a refused username', () => {
  it.each([
    ['ab\ud800', /valid Unicode/],
    ['a\u202eb', /invisible formatting/],
    ['a\u2028b', /line or paragraph separator/],
    [' alice', /start or end with a space/],
    ['   ', /only spaces/],
    // Blank-looking and look-alike names the second review registered as separate accounts.
    ['\u3164', /invisible or blank-looking/],
    ['\u2800', /invisible or blank-looking/],
    ['\uffa0', /invisible or blank-looking/],
    ['\u115f\u1160', /invisible or blank-looking/],
    ['admin\u034f', /invisible or blank-looking/],
    ['admin\ufe0f', /invisible or blank-looking/],
    ['admin\u{e0100}', /invisible or blank-looking/],
    ['a\u00a0b', /spaces other than/],
    ['a\u200ab', /spaces other than/],
    ['a\u3000b', /spaces other than/],
    ['\u0301', /combining mark/],
    ['a \u20dd', /combining mark/],
  ])('%j gets 400 naming the field and saying why', async (username, why) => {
    const server = await inProcess();

    const error = await expectError(await apiClient(server).signIn(username), 400, 'bad_request');

    expect(error.field).toBe('username');
    expect(error.message).toMatch(why);
    expect(server.logs).toEqual([]);
  });
});

describe('an accepted username', () => {
  it.each(['alice', 'Ann Lee', 'Zoë', 'e\u0301', '李小龍', 'ناصر', 'o\u0308\u0301'])(
    '%j signs in',
    async (username) => {
      const server = await inProcess();

      expect((await apiClient(server).signIn(username, `${username.normalize('NFC')}_secret`)).status).toBe(201);
    },
  );
});

describe.each(storeKinds)('with the %s store', (kind) => {
  it('signs a decomposed é in as the composed one, with the composed password, and shows it composed', async () => {
    const server = await inProcess({ store: kind });
    const api = apiClient(server);

    const response = await api.signIn('e\u0301', '\u00e9_secret');

    expect((await sessionBody(response, 201)).user).toEqual({ username: '\u00e9' });
    expect((await sessionBody(await api.getSession(cookieFrom(response)))).user).toEqual({ username: '\u00e9' });
    expect(logEntries(server.logs).map((entry) => entry.user)).toEqual(['\u00e9']);
  });

  it('accepts the password in either form, as one password', async () => {
    const server = await inProcess({ store: kind });

    expect((await apiClient(server).signIn('\u00e9', 'e\u0301_secret')).status).toBe(201);
  });

  it('keeps case: VICTIM and victim are two accounts with two passwords', async () => {
    const server = await inProcess({ store: kind });
    const api = apiClient(server);

    await expectError(await api.signIn('VICTIM', 'victim_secret'), 401, 'invalid_credentials');
    expect((await sessionBody(await api.signIn('VICTIM', 'VICTIM_secret'), 201)).user).toEqual({ username: 'VICTIM' });
  });
});

describe('the log', () => {
  it('escapes U+2028 and U+2029, so one entry stays one line for any log reader', () => {
    const logger = createMemoryLogger();

    logger.warn('probe', { text: 'a\u2028b\u2029c' });

    expect(logger.lines[0]).not.toMatch(/[\u2028\u2029]/);
    expect(logger.lines[0]).toContain('a\\u2028b\\u2029c');
    expect(JSON.parse(logger.lines[0]).text).toBe('a\u2028b\u2029c');
  });
});
