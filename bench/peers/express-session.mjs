// The peers in bench/server.ts: what a new user would build with the usual Node choice, express 5
// and express-session 1.19 with a rolling cookie (`rolling: true`, `resave: false`,
// `saveUninitialized: false`, as its README recommends for login sessions), doing the same
// check-and-extend as our server: sign in, read the session, heartbeat. Each of our stores is held
// against the express-session store a user of that kind would pick (PEER_STORE):
// - `memory` (default): express-session's MemoryStore
// - `sqlite`: better-sqlite3-session-store on better-sqlite3, in the file DATABASE_PATH
// - `redis`: connect-redis 10 on node-redis 5, at REDIS_URL (Node 22 or later)
//
// Started like ours, in a process of its own: `node bench/peers/express-session.mjs` with PORT
// and HOST; prints one JSON `listening` line with its URL, and stops on SIGTERM.
import { createHash, timingSafeEqual } from 'node:crypto';
import express from 'express';
import session from 'express-session';

// The limits ours runs with in the benches (bench/lib/targets.ts: IDLE_TIMEOUT=15m, IDLE_WARNING=2m),
// so that no session of either ends between two rounds of a long run.
const idleTimeoutMs = 15 * 60_000;
const warningMs = 2 * 60_000;
const absoluteTimeoutMs = 8 * 60 * 60_000;
const heartbeatIntervalMs = 60_000;

/** The store PEER_STORE names, connected. */
async function peerStore() {
  switch (process.env.PEER_STORE || 'memory') {
    case 'memory':
      return undefined; // express-session's own MemoryStore
    case 'sqlite': {
      const { default: Database } = await import('better-sqlite3');
      const { default: sqliteStoreFor } = await import('better-sqlite3-session-store');
      const db = new Database(process.env.DATABASE_PATH);
      // WAL, as ours runs (its README leaves the journal mode to the caller).
      db.pragma('journal_mode = WAL');
      const SqliteStore = sqliteStoreFor(session);
      return new SqliteStore({ client: db, expired: { clear: true, intervalMs: 15 * 60_000 } });
    }
    case 'redis': {
      const { createClient } = await import('redis');
      const { RedisStore } = await import('connect-redis');
      const client = createClient({ url: process.env.REDIS_URL });
      await client.connect();
      return new RedisStore({ client, prefix: 'peer-sess:' });
    }
    default:
      throw new Error(`PEER_STORE must be memory, sqlite or redis, got ${process.env.PEER_STORE}`);
  }
}
const store = await peerStore();

const app = express();
app.disable('x-powered-by');
app.use(
  session({
    ...(store ? { store } : {}),
    name: 'sid',
    secret: process.env.PEER_SECRET || 'bench-peer-secret-not-for-production',
    resave: false,
    saveUninitialized: false,
    // Every response sets the cookie again and touches the store: the idle timeout slides.
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'strict', path: '/', maxAge: idleTimeoutMs },
  }),
);
const json = express.json({ limit: '4kb' });

const sha256 = (text) => createHash('sha256').update(text).digest();

function timing(data, now) {
  return {
    idleTimeoutMs,
    warningMs,
    idleExpiresInMs: Math.max(0, data.lastActivityAt + idleTimeoutMs - now),
    absoluteExpiresInMs: Math.max(0, data.createdAt + absoluteTimeoutMs - now),
    heartbeatIntervalMs,
  };
}

/** The session's data when it is live, else undefined (an expired one is destroyed). */
function live(req, now) {
  const data = req.session;
  if (typeof data.username !== 'string') return undefined;
  if (now >= Math.min(data.lastActivityAt + idleTimeoutMs, data.createdAt + absoluteTimeoutMs)) {
    req.session.destroy(() => {});
    return undefined;
  }
  return data;
}

const unauthenticated = (res) =>
  res.status(401).json({ error: 'unauthenticated', message: 'You are not signed in, or your session has ended.' });

app.post('/api/session', json, (req, res, next) => {
  const { username, password } = req.body ?? {};
  if (typeof username !== 'string' || typeof password !== 'string' || username === '') {
    return res.status(400).json({ error: 'bad_request', message: 'Username and password are required.' });
  }
  if (!timingSafeEqual(sha256(password), sha256(`${username}_secret`))) {
    return res.status(401).json({ error: 'invalid_credentials', message: 'The username or password is wrong.' });
  }
  // A new id at sign-in (session fixation), as express-session's README shows.
  req.session.regenerate((error) => {
    if (error) return next(error);
    const now = Date.now();
    Object.assign(req.session, { username, createdAt: now, lastActivityAt: now });
    res.status(201).json({ user: { username }, session: timing(req.session, now) });
  });
});

app.get('/api/session', (req, res) => {
  const now = Date.now();
  const data = live(req, now);
  if (!data) return unauthenticated(res);
  res.json({ user: { username: data.username }, session: timing(data, now) });
});

app.post('/api/session/heartbeat', json, (req, res) => {
  const now = Date.now();
  const data = live(req, now);
  if (!data) return unauthenticated(res);
  data.lastActivityAt = now;
  res.json({ session: timing(data, now) });
});

const server = app.listen(Number(process.env.PORT) || 0, process.env.HOST || '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(JSON.stringify({ event: 'listening', url: `http://${address}:${port}` }));
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
