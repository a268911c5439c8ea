/**
 * The operator command's rules (server/operator/sessions-command.ts) in-process, on memory and
 * SQLite: what it prints, when it asks, what it refuses. The compiled command against running
 * Redis instances is in operations-process.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { defaultSessionConfig } from '../../server/session/policy';
import { createMemoryLogger } from '../../server/logger';
import { runSessionsCommand, type SessionsCommandContext } from '../../server/operator/sessions-command';
import type { Store } from '../../server/stores/store';
import { cookieFrom } from '../support/test-server';
import { apiClient, createStore, logEntries, useTestApps } from './helpers';

const { inProcess } = useTestApps();

async function setUp(kind: 'memory' | 'sqlite') {
  const store = createStore(kind);
  const app = await inProcess({ store });
  return { app, api: apiClient(app), store };
}

function command(store: Store, kind: 'memory' | 'sqlite', now: () => number, ask?: (q: string) => Promise<string>) {
  const out: string[] = [];
  const err: string[] = [];
  const logger = createMemoryLogger();
  const context: SessionsCommandContext = {
    store,
    config: { store: kind, databasePath: '/data/sessions.db', redisUrl: undefined, session: defaultSessionConfig },
    clock: { now },
    logger,
    print: (line) => out.push(line),
    warn: (line) => err.push(line),
    ask,
  };
  return { run: (...argv: string[]) => runSessionsCommand(argv, context), out, err, logs: logger.lines };
}

describe('npm run sessions, on SQLite', () => {
  it('lists live sessions with their user, browser and times, and ends a user’s with their device tokens', async () => {
    const { api, app, store } = await setUp('sqlite');
    const alice = cookieFrom(
      await api.signIn('alice', 'alice_secret', {
        headers: { 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0' },
      }),
    );
    const aliceDevice = cookieFrom(await api.signIn('alice'), 'did');
    await api.signIn('bob');
    const cli = command(store, 'sqlite', app.clock.now);

    expect(await cli.run('list')).toBe(0);
    expect(cli.out[0]).toMatch(/^ID\s+USER\s+BROWSER\s+SIGNED IN\s+LAST ACTIVE\s+EXPIRES$/);
    expect(cli.out.filter((line) => / alice /.test(line))).toHaveLength(2);
    expect(cli.out.join('\n')).toContain('Firefox on Linux');
    expect(cli.out.join('\n')).toContain('2026-01-01T09:01:00.000Z (in 1m 0s)');
    expect(cli.out.at(-1)).toBe('3 live sessions of 2 users in sqlite (/data/sessions.db).');

    expect(await cli.run('end', '--user', 'alice', '--forget-devices')).toBe(0);
    expect(cli.out.at(-2)).toContain('Ended 2 sessions of "alice"');
    expect(cli.out.at(-1)).toBe('Forgot 2 device tokens: those browsers count as new devices at their next sign-in.');
    expect(logEntries(cli.logs)).toEqual([
      expect.objectContaining({
        level: 'warn',
        event: 'sessions_ended_by_operator',
        count: 2,
        scope: 'user',
        user: 'alice',
        deviceTokensForgotten: 2,
      }),
    ]);
    const answer = await api.heartbeat(alice, {});
    expect(((await answer.json()) as { error: string }).error).toBe('session_revoked');
    expect(await store.getDeviceToken(aliceDevice.split('=')[1], app.clock.now())).toBeUndefined();

    expect(await cli.run('end', '--user', 'alice')).toBe(0);
    expect(cli.out.at(-1)).toBe('No live sessions of "alice" in sqlite (/data/sessions.db): nothing ended.');
  });

  it('asks before ending every session, and ends nothing unless the answer is yes', async () => {
    const { api, app, store } = await setUp('sqlite');
    await api.signIn('alice');
    await api.signIn('bob');
    const questions: string[] = [];
    let reply = 'no';
    const cli = command(store, 'sqlite', app.clock.now, async (question) => (questions.push(question), reply));

    expect(await cli.run('end', '--all')).toBe(1);
    expect(questions).toEqual(['End all 2 live sessions in sqlite (/data/sessions.db)? Type "yes" to go on: ']);
    expect(cli.out.at(-1)).toBe('Nothing ended.');
    expect(await store.countLive(app.clock.now())).toBe(2);

    reply = 'YES';
    expect(await cli.run('end', '--all')).toBe(0);
    expect(cli.out.at(-1)).toMatch(/^Ended 2 sessions in sqlite/);
    expect(await store.countLive(app.clock.now())).toBe(0);
    expect(logEntries(cli.logs)).toEqual([expect.objectContaining({ count: 2, scope: 'all' })]);
  });

  it('prints stats: live sessions, users, and those ending in the next minute and hour', async () => {
    const { api, app, store } = await setUp('sqlite');
    await api.signIn('alice');
    app.clock.advance(30_000);
    await api.signIn('alice');
    await api.signIn('bob');
    const cli = command(store, 'sqlite', () => app.clock.now() + 30_000);
    expect(await cli.run('stats')).toBe(0);
    expect(cli.out).toEqual([
      'store:                      sqlite (/data/sessions.db)',
      'live sessions:              2',
      'users with live sessions:   2',
      'ending in the next minute:  2',
      'ending in the next hour:    2',
    ]);
  });

  it('refuses bad command lines with exit 2 and the usage, changing nothing', async () => {
    const { api, app, store } = await setUp('sqlite');
    await api.signIn('alice');
    const cli = command(store, 'sqlite', app.clock.now);
    for (const argv of [
      [],
      ['end'],
      ['end', '--all', '--user', 'alice'],
      ['end', '--user', ''],
      ['end', '--user', 'alice', '--yes'],
      ['end', '--all', '--forget-devices'],
      ['list', '--yes'],
      ['list', '--user'],
      ['stats', '--user', 'alice'],
      ['purge'],
    ]) {
      cli.err.length = 0;
      expect(await cli.run(...argv)).toBe(2);
      expect(cli.err.join('\n')).toContain('Usage: npm run sessions -- <command>');
    }
    expect(await store.countLive(app.clock.now())).toBe(1);
    expect(await cli.run('--help')).toBe(0);
  });
});

describe('npm run sessions, on a memory store', () => {
  it('says that it cannot reach a server’s memory, and refuses to end anything', async () => {
    const { store, app } = await setUp('memory');
    const cli = command(store, 'memory', app.clock.now);
    expect(await cli.run('stats')).toBe(0);
    expect(cli.err[0]).toMatch(/^Note: SESSION_STORE=memory keeps sessions inside each server process/);
    expect(await cli.run('end', '--user', 'alice')).toBe(1);
    expect(cli.err.at(-1)).toMatch(/^Nothing ended: a memory store lives inside each server process/);
    expect(cli.logs).toEqual([]);
  });
});
