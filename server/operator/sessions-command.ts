import { parseArgs } from 'node:util';
import type { ServerConfig } from '../config';
import type { Logger } from '../logger';
import { expiresAt, type SessionRecord } from '../session/expiry';
import type { Clock } from '../session/clock';
import type { SessionStore } from '../stores/store';

export const sessionsUsage = `Usage: npm run sessions -- <command>

  list [--user NAME]                 the live sessions (public id, user, browser, signed in, last active, expires)
  end --user NAME [--forget-devices] end every session of NAME (and forget their device tokens)
  end --all [--yes]                  end every session (asks first, unless --yes)
  stats                              live sessions and users, and how many end in the next minute and hour

Same settings as the server (SESSION_STORE, DATABASE_PATH, REDIS_URL, IDLE_TIMEOUT, ...).
Ended sessions answer 401 session_revoked to their browser's next request.`;

/** A wrong command line: exit 2 with the message and the usage. */
export class UsageError extends Error {}

export interface SessionsCommandContext {
  store: SessionStore;
  config: Pick<ServerConfig, 'store' | 'databasePath' | 'redisUrl' | 'session'>;
  clock?: Clock;
  logger: Logger;
  /** Human output (stdout). */
  print(line: string): void;
  /** Warnings and errors (stderr). */
  warn(line: string): void;
  /** Asks a yes/no question; undefined when there is no terminal to ask on. */
  ask?: (question: string) => Promise<string>;
}

/** Where the sessions are, for the summaries: the store and its file or URL (no password). */
function storeName(config: SessionsCommandContext['config']): string {
  if (config.store === 'sqlite') return `sqlite (${config.databasePath})`;
  if (config.store === 'redis') {
    try {
      const url = new URL(config.redisUrl ?? '');
      if (url.password) url.password = '***';
      return `redis (${url.toString()})`;
    } catch {
      return 'redis';
    }
  }
  return 'memory';
}

/** What the memory store means here: said on every command that runs on it. */
export const memoryStoreNote =
  'SESSION_STORE=memory keeps sessions inside each server process: this command has a store of its own, ' +
  "empty, and cannot see or end a running server's sessions. Use sqlite or redis to manage sessions from here.";

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

/** Columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Runs `npm run sessions -- <argv>` against `store`. Returns the exit code: 0 done, 1 refused or
 * failed (the message says why), 2 a wrong command line. Store errors are thrown to the caller.
 */
export async function runSessionsCommand(argv: string[], context: SessionsCommandContext): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    context.warn(`${error.message}\n\n${sessionsUsage}`);
    return 2;
  }
  if (parsed.command === 'help') {
    context.print(sessionsUsage);
    return 0;
  }
  const { store, config, logger, print, warn } = context;
  const clock = context.clock ?? { now: () => Date.now() };
  if (config.store === 'memory') warn(`Note: ${memoryStoreNote}`);
  const now = clock.now();
  const where = storeName(config);

  switch (parsed.command) {
    case 'list': {
      const records = parsed.user === undefined ? await store.listLive(now) : await store.listByUser(parsed.user, now);
      const live = records
        .filter((record) => expiresAt(record, config.session) > now)
        .sort((a, b) => a.username.localeCompare(b.username) || b.lastActivityAt - a.lastActivityAt);
      if (live.length > 0) {
        const rows = live.map((record) => row(record, config, now));
        for (const line of table([['ID', 'USER', 'BROWSER', 'SIGNED IN', 'LAST ACTIVE', 'EXPIRES'], ...rows]))
          print(line);
      }
      const users = new Set(live.map((record) => record.username)).size;
      print(
        parsed.user === undefined
          ? `${plural(live.length, 'live session')} of ${plural(users, 'user')} in ${where}.`
          : `${plural(live.length, 'live session')} of ${JSON.stringify(parsed.user)} in ${where}.`,
      );
      return 0;
    }
    case 'stats': {
      const [live, inMinute, inHour, records] = await Promise.all([
        store.countLive(now),
        store.countLive(now, now + 60_000),
        store.countLive(now, now + 3_600_000),
        store.listLive(now),
      ]);
      const users = new Set(records.map((record) => record.username)).size;
      for (const line of table([
        ['store:', where],
        ['live sessions:', String(live)],
        ['users with live sessions:', String(users)],
        ['ending in the next minute:', String(inMinute)],
        ['ending in the next hour:', String(inHour)],
      ]))
        print(line);
      return 0;
    }
    case 'end': {
      if (config.store === 'memory') {
        warn('Nothing ended: a memory store lives inside each server process (see the note above).');
        return 1;
      }
      if (parsed.user === undefined) {
        const live = await store.countLive(now);
        if (!parsed.yes) {
          if (!context.ask) {
            warn(`Refusing to end all ${plural(live, 'live session')} without --yes: there is no terminal to ask on.`);
            return 1;
          }
          const answer = await context.ask(
            `End all ${plural(live, 'live session')} in ${where}? Type "yes" to go on: `,
          );
          if (answer.trim().toLowerCase() !== 'yes') {
            print('Nothing ended.');
            return 1;
          }
        }
      }
      const ended = await store.revokeAll(clock.now(), parsed.user);
      const forgotten =
        parsed.forgetDevices && parsed.user !== undefined
          ? await store.deleteDeviceTokensOfUser(parsed.user)
          : undefined;
      logger.warn('sessions_ended_by_operator', {
        count: ended,
        ...(parsed.user === undefined ? { scope: 'all' } : { scope: 'user', user: parsed.user }),
        ...(forgotten === undefined ? {} : { deviceTokensForgotten: forgotten }),
      });
      const whose = parsed.user === undefined ? '' : ` of ${JSON.stringify(parsed.user)}`;
      print(
        ended === 0
          ? `No live sessions${whose} in ${where}: nothing ended.`
          : `Ended ${plural(ended, 'session')}${whose} in ${where}. Their browsers get 401 session_revoked ("ended from another device") at their next request.`,
      );
      if (forgotten !== undefined)
        print(
          `Forgot ${plural(forgotten, 'device token')}: those browsers count as new devices at their next sign-in.`,
        );
      return 0;
    }
  }
}

function row(record: SessionRecord, config: SessionsCommandContext['config'], now: number): string[] {
  const ends = expiresAt(record, config.session);
  return [
    record.publicId,
    record.username,
    record.browser,
    new Date(record.createdAt).toISOString(),
    new Date(record.lastActivityAt).toISOString(),
    `${new Date(ends).toISOString()} (in ${duration(ends - now)})`,
  ];
}

type ParsedCommand =
  | { command: 'help' }
  | { command: 'list'; user: string | undefined }
  | { command: 'stats' }
  | { command: 'end'; user: string | undefined; yes: boolean; forgetDevices: boolean };

/** The command line, checked: every mistake is a UsageError naming it. */
function parse(argv: string[]): ParsedCommand {
  let values: { user?: string; all?: boolean; yes?: boolean; 'forget-devices'?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        user: { type: 'string' },
        all: { type: 'boolean' },
        yes: { type: 'boolean' },
        'forget-devices': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (command === undefined) throw new UsageError('No command given.');
  if (extra.length > 0) throw new UsageError(`Unexpected argument: ${extra[0]}`);
  const user = values.user;
  if (user !== undefined && user.trim() === '') throw new UsageError('--user needs a username.');
  const allowed: Record<string, string[]> = {
    list: ['user'],
    stats: [],
    end: ['user', 'all', 'yes', 'forget-devices'],
  };
  if (!(command in allowed)) throw new UsageError(`Unknown command: ${command}`);
  for (const option of Object.keys(values))
    if (!allowed[command].includes(option)) throw new UsageError(`${command} does not take --${option}`);
  if (command === 'list') return { command, user };
  if (command === 'stats') return { command };
  if (command !== 'end') throw new UsageError(`Unknown command: ${command}`);
  if ((user === undefined) === !values.all) throw new UsageError('end needs either --user NAME or --all.');
  if (values['forget-devices'] && user === undefined) throw new UsageError('--forget-devices goes with --user NAME.');
  if (values.yes && user !== undefined) throw new UsageError('--yes goes with --all.');
  return { command, user, yes: values.yes ?? false, forgetDevices: values['forget-devices'] ?? false };
}
