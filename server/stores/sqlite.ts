import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SessionRecord } from '../session/expiry';
import { createSqliteNotes } from './sqlite-notes';
import type { FailureCounter, Store } from './store';
import { guardStore, storeTimeoutMs } from './unavailable';

interface SessionRow {
  id_hash: string;
  username: string;
  created_at: number;
  last_activity_at: number;
  public_id: string;
  browser: string;
  revoked: number;
  reauthenticated_at: number | null;
}

/** The `revoked` column's value for a session an operator ended (1: its user did). */
const revokedByOperator = 2;

const sessionColumns =
  'id_hash, username, created_at, last_activity_at, public_id, browser, revoked, reauthenticated_at';

/**
 * SQLite result codes that mean the database cannot answer now (a 503, decision 018), not a bug:
 * another process holds the lock past the busy timeout, the disk fails or is full, the file is
 * gone or read-only. Extended codes (SQLITE_IOERR_WRITE, ...) start with these.
 */
const unavailableCodes = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOLFS)/;

function isSqliteUnavailable(error: unknown): boolean {
  return error instanceof Database.SqliteError && unavailableCodes.test(error.code);
}

/**
 * The default store: one SQLite file (WAL mode), created with its folder on first use.
 * Sessions survive a restart. better-sqlite3 is synchronous; the async interface is for Redis.
 */
export function createSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Another process holding the write lock (two instances on one file) makes a write wait this
  // long, the whole event loop with it (better-sqlite3 is synchronous), then fail as unavailable.
  db.pragma(`busy_timeout = ${storeTimeoutMs}`);
  dropSessionsWithoutPublicIds(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS sessions (
      id_hash TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      last_activity_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      public_id TEXT NOT NULL,
      browser TEXT NOT NULL,
      revoked INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at);
    CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username, expires_at);
    CREATE TABLE IF NOT EXISTS login_failures (
      key TEXT PRIMARY KEY,
      count INTEGER NOT NULL,
      reset_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS device_tokens (
      token_hash TEXT PRIMARY KEY,
      username TEXT NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS device_tokens_username ON device_tokens (username);
  `);
  addColumnIfMissing(db, 'sessions', 'reauthenticated_at', 'INTEGER');

  const insertSession = db.prepare(
    `INSERT INTO sessions (id_hash, username, created_at, last_activity_at, expires_at, public_id, browser)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const selectSession = db.prepare<[string], SessionRow>(`SELECT ${sessionColumns} FROM sessions WHERE id_hash = ?`);
  const selectUserSessions = db.prepare<[string, number], SessionRow>(
    `SELECT ${sessionColumns} FROM sessions WHERE username = ? AND expires_at > ? AND revoked = 0`,
  );
  const revokeSession = db.prepare(
    'UPDATE sessions SET revoked = 1 WHERE id_hash = ? AND username = ? AND expires_at > ? AND revoked = 0',
  );
  // extendedRecord (session/expiry.ts) in one statement: check, move and read back at once.
  // In SET and RETURNING, SQLite reads the row's old and new values respectively.
  const extendSession = db.prepare<[number, number, number, number, string, number, number, number], SessionRow>(`
    UPDATE sessions SET
      last_activity_at = max(last_activity_at, ?),
      expires_at = min(max(last_activity_at, ?) + ?, created_at + ?)
    WHERE id_hash = ? AND revoked = 0 AND ? < min(last_activity_at + ?, created_at + ?)
    RETURNING ${sessionColumns}
  `);
  const selectLiveSessions = db.prepare<[number], SessionRow>(
    `SELECT ${sessionColumns} FROM sessions WHERE expires_at > ? AND revoked = 0`,
  );
  const countLiveSessions = db.prepare<[number, number], { count: number }>(
    'SELECT count(*) AS count FROM sessions WHERE expires_at > ? AND expires_at <= ? AND revoked = 0',
  );
  // revoked: 0 live, 1 ended by its user, 2 ended by an operator (both answer session_revoked).
  const revokeAllSessions = db.prepare(
    `UPDATE sessions SET revoked = ${revokedByOperator} WHERE expires_at > ? AND revoked = 0`,
  );
  const revokeUserSessions = db.prepare(
    `UPDATE sessions SET revoked = ${revokedByOperator} WHERE username = ? AND expires_at > ? AND revoked = 0`,
  );
  const deleteSession = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const markReauthenticated = db.prepare(
    'UPDATE sessions SET reauthenticated_at = ? WHERE id_hash = ? AND revoked = 0',
  );
  const purgeSessions = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  const purgeFailures = db.prepare('DELETE FROM login_failures WHERE reset_at <= ?');
  const selectFailures = db.prepare<[string, number], FailureCounter>(
    'SELECT count, reset_at AS resetAt FROM login_failures WHERE key = ? AND reset_at > ?',
  );
  // One statement, so two instances sharing the file cannot lose a count.
  const upsertFailure = db.prepare<[{ key: string; now: number; windowMs: number }], FailureCounter>(`
    INSERT INTO login_failures (key, count, reset_at) VALUES (@key, 1, @now + @windowMs)
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN reset_at > @now THEN count + 1 ELSE 1 END,
      reset_at = CASE WHEN reset_at > @now THEN reset_at ELSE @now + @windowMs END
    RETURNING count, reset_at AS resetAt
  `);
  const deleteFailures = db.prepare('DELETE FROM login_failures WHERE key = ?');
  const takeBackFailure = db.prepare(
    'UPDATE login_failures SET count = count - 1 WHERE key = ? AND reset_at > ? AND count > 0',
  );
  const upsertDeviceToken = db.prepare(
    'INSERT OR REPLACE INTO device_tokens (token_hash, username, expires_at) VALUES (?, ?, ?)',
  );
  const selectDeviceToken = db.prepare<[string, number], { username: string }>(
    'SELECT username FROM device_tokens WHERE token_hash = ? AND expires_at > ?',
  );
  const deleteDeviceToken = db.prepare('DELETE FROM device_tokens WHERE token_hash = ?');
  const deleteUserDeviceTokens = db.prepare('DELETE FROM device_tokens WHERE username = ? AND token_hash IS NOT ?');
  const purgeDeviceTokens = db.prepare('DELETE FROM device_tokens WHERE expires_at <= ?');
  const ping = db.prepare('SELECT 1');

  const write = groupCommit(db);

  const toRecord = (row: SessionRow): SessionRecord => ({
    idHash: row.id_hash,
    username: row.username,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    publicId: row.public_id,
    browser: row.browser,
    ...(row.revoked ? { revoked: true as const } : {}),
    ...(row.revoked === revokedByOperator ? { revokedBy: 'operator' as const } : {}),
    ...(row.reauthenticated_at !== null ? { reauthenticatedAt: row.reauthenticated_at } : {}),
  });

  const store: Store = {
    ...createSqliteNotes(db, write),
    async create(record, expiresAt) {
      await write(() =>
        insertSession.run(
          record.idHash,
          record.username,
          record.createdAt,
          record.lastActivityAt,
          expiresAt,
          record.publicId,
          record.browser,
        ),
      );
    },
    async get(idHash) {
      const row = selectSession.get(idHash);
      return row && toRecord(row);
    },
    async extend(idHash, activityAt, now, limits) {
      const { idleTimeoutMs: idle, absoluteTimeoutMs: absolute } = limits;
      const row = await write(() =>
        extendSession.get(activityAt, activityAt, idle, absolute, idHash, now, idle, absolute),
      );
      return row && toRecord(row);
    },
    async delete(idHash) {
      await write(() => deleteSession.run(idHash));
    },
    async listByUser(username, now) {
      return selectUserSessions.all(username, now).map(toRecord);
    },
    async revoke(username, idHash, now) {
      return (await write(() => revokeSession.run(idHash, username, now))).changes === 1;
    },
    async markReauthenticated(idHash, at) {
      return (await write(() => markReauthenticated.run(at, idHash))).changes === 1;
    },
    async listLive(now) {
      return selectLiveSessions.all(now).map(toRecord);
    },
    async countLive(now, endingBy = Number.MAX_SAFE_INTEGER) {
      return countLiveSessions.get(now, endingBy)!.count;
    },
    async revokeAll(now, username) {
      const result = await write(() =>
        username === undefined ? revokeAllSessions.run(now) : revokeUserSessions.run(username, now),
      );
      return result.changes;
    },
    async purgeExpired(now) {
      purgeFailures.run(now);
      purgeDeviceTokens.run(now);
      return purgeSessions.run(now).changes;
    },
    async getFailures(key, now) {
      return selectFailures.get(key, now);
    },
    async addFailure(key, now, windowMs) {
      return write(() => upsertFailure.get({ key, now, windowMs })!);
    },
    async clearFailures(key) {
      await write(() => deleteFailures.run(key));
    },
    async takeBackFailure(key, now) {
      await write(() => takeBackFailure.run(key, now));
    },
    async saveDeviceToken(tokenHash, username, expiresAt) {
      await write(() => upsertDeviceToken.run(tokenHash, username, expiresAt));
    },
    async getDeviceToken(tokenHash, now) {
      return selectDeviceToken.get(tokenHash, now)?.username;
    },
    async deleteDeviceToken(tokenHash) {
      await write(() => deleteDeviceToken.run(tokenHash));
    },
    async deleteDeviceTokensOfUser(username, keepHash) {
      return (await write(() => deleteUserDeviceTokens.run(username, keepHash ?? null))).changes;
    },
    async ping() {
      if (!db.open) throw new Error('database is closed');
      ping.get();
    },
    async close() {
      write.flush();
      if (db.open) db.close();
    },
  };
  return guardStore(store, isSqliteUnavailable);
}

/**
 * A sessions table from before public ids (issue 10) cannot list its sessions: it is dropped,
 * and those users sign in once more. The only schema change so far, so no migration framework.
 */
function dropSessionsWithoutPublicIds(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('sessions')").all();
  if (columns.length > 0 && !columns.some(({ name }) => name === 'public_id')) db.exec('DROP TABLE sessions');
}

/** A column added after the table's first release (reauthenticated_at: issue 20), on an existing file. */
function addColumnIfMissing(db: Database.Database, table: string, column: string, type: string): void {
  const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}')`).all();
  if (!columns.some(({ name }) => name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/**
 * Runs every write queued in one turn of the event loop inside one transaction, committed before
 * any caller's promise settles. With the WAL, SQLite's cost is per commit (WAL frames for every
 * page written, and a checkpoint with an fsync every ~1000 pages), not per statement: the
 * heartbeats and sign-ins of many users at once share one commit (group commit), each still
 * durable before its answer. Each write is a savepoint of its own, so one that fails (it throws
 * to its caller) leaves the others in; a failed commit rejects them all.
 */
function groupCommit(db: Database.Database): (<T>(write: () => T) => Promise<T>) & { flush(): void } {
  type Pending = { write: () => unknown; resolve: (result: unknown) => void; reject: (error: unknown) => void };
  type Outcome = { ok: true; result: unknown } | { ok: false; error: unknown };
  let pending: Pending[] = [];
  const savepoint = db.transaction((write: () => unknown) => write());
  const commit = db.transaction((batch: Pending[]) =>
    batch.map(({ write }): Outcome => {
      try {
        return { ok: true, result: savepoint(write) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      if (!db.open) throw new Error('database is closed');
      outcomes = commit(batch);
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) resolve(outcome.result);
      else reject(outcome.error);
    });
  };
  const write = <T>(run: () => T) =>
    new Promise<T>((resolve, reject) => {
      // After the I/O callbacks of this turn: every request read in it has queued its write.
      if (pending.length === 0) setImmediate(flush);
      pending.push({ write: run, resolve: resolve as (result: unknown) => void, reject });
    });
  return Object.assign(write, { flush });
}
