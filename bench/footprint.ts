/**
 * What 100,000 live sessions cost to keep: the SQLite file and its WAL, Redis's `used_memory`,
 * and the server's RSS, for ours on each store beside the express-session peer (MemoryStore) in
 * the same run. Sessions are made the way users make them: sign-ins over HTTP (autocannon,
 * 50 connections), each user from a client address of its own group of 40, so that the
 * per-client throttle (50 attempts in 5 minutes) never trips.
 *
 * Run alone: npx tsx bench/footprint.ts
 * Knobs: BENCH_FOOTPRINT_SESSIONS (default 100000), BENCH_CONNECTIONS (default 50),
 * BENCH_FOOTPRINT_TARGETS (comma-separated, of peer, memory, sqlite, redis; default all).
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { findRedisServer, startRedisServer } from '../test/support/redis-server';
import { heading, isMain, printTable, ratio } from './lib/table';
import { clientAddress, startOurs, startPeer, type RunningTarget } from './lib/targets';

const sessions = Number(process.env.BENCH_FOOTPRINT_SESSIONS) || 100_000;
const connections = Number(process.env.BENCH_CONNECTIONS) || 50;
const signInsPerAddress = 40;
const chosen = new Set((process.env.BENCH_FOOTPRINT_TARGETS || 'peer,memory,sqlite,redis').split(','));

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);
const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** Signs `sessions` different users in; returns how many answered 201 and how long it took. */
async function fill(server: RunningTarget): Promise<{ created: number; seconds: number }> {
  let n = 0;
  const result = await autocannon({
    url: server.url,
    connections,
    amount: sessions,
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => {
          const i = n++;
          return {
            ...request,
            method: 'POST',
            path: '/api/session',
            headers: {
              'content-type': 'application/json',
              origin: server.url,
              'x-forwarded-for': clientAddress(Math.floor(i / signInsPerAddress)),
            },
            body: JSON.stringify({ username: `user${i}`, password: `user${i}_secret` }),
          };
        },
      },
    ],
  });
  return { created: result['2xx'], seconds: result.duration };
}

async function redisUsedMemory(url: string): Promise<number | undefined> {
  const client = new Redis(url, { lazyConnect: true });
  try {
    await client.connect();
    const match = /^used_memory:(\d+)/m.exec(await client.info('memory'));
    return match ? Number(match[1]) : undefined;
  } finally {
    client.disconnect();
  }
}

export async function runFootprintBench(): Promise<void> {
  heading(`Footprint: ${sessions.toLocaleString('en')} live sessions (Node ${process.versions.node})`);
  console.log(
    `Each target signs ${sessions.toLocaleString('en')} users in over HTTP (autocannon, ${connections} connections); ` +
      `then its RSS, and the store's size on disk (SQLite: file + WAL) or in Redis (INFO memory used_memory).\n`,
  );
  const rows: (string | number)[][] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  let peerRss: number | undefined;

  const measure = async (
    label: string,
    start: () => Promise<RunningTarget>,
    storeSize: () => Promise<{ before?: number; after?: number; detail: string }>,
  ) => {
    const server = await start();
    cleanups.push(() => server.stop());
    const rssBefore = server.rssBytes();
    const before = await storeSize();
    const { created, seconds } = await fill(server);
    const rss = server.rssBytes();
    const after = await storeSize();
    peerRss ??= rss;
    rows.push([
      label,
      created,
      `${Math.round(created / seconds)}`,
      mb(rssBefore),
      mb(rss),
      rss !== undefined && peerRss !== undefined ? ratio(rss, peerRss) : 'n/a',
      after.after === undefined ? 'in the server' : mb(after.after),
      after.after !== undefined && before.before !== undefined
        ? `${Math.round((after.after - before.before) / created)} B`
        : '',
      after.detail,
    ]);
  };

  try {
    if (chosen.has('peer'))
      await measure('express-session peer (MemoryStore)', startPeer, async () => ({ detail: '' }));
    if (chosen.has('memory')) {
      await measure(
        'ours, memory',
        () => startOurs({ SESSION_STORE: 'memory' }),
        async () => ({ detail: '' }),
      );
    }

    const dir = mkdtempSync(join(tmpdir(), 'idle-session-footprint-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const database = join(dir, 'sessions.db');
    if (chosen.has('sqlite')) {
      await measure(
        'ours, SQLite',
        () => startOurs({ SESSION_STORE: 'sqlite', DATABASE_PATH: database }),
        async () => {
          const [file, wal] = [fileSize(database), fileSize(`${database}-wal`)];
          return { before: 0, after: file + wal, detail: `file ${mb(file)} + WAL ${mb(wal)}` };
        },
      );
    }

    if (!chosen.has('redis')) {
      // not asked for
    } else if (!findRedisServer()) {
      rows.push(['ours, Redis', 'skipped: redis-server not found', '', '', '', '', '', '', '']);
    } else {
      const redis = await startRedisServer();
      if (!redis) throw new Error('redis-server not found');
      cleanups.push(() => redis.stop());
      let empty: number | undefined;
      await measure(
        'ours, Redis',
        () => startOurs({ SESSION_STORE: 'redis', REDIS_URL: redis.url }),
        async () => {
          const used = await redisUsedMemory(redis.url);
          empty ??= used;
          return {
            before: empty,
            after: used,
            detail: `used_memory ${used ?? 'n/a'} bytes (${mb(used)}), ${mb(empty)} when empty; limit 126.8 MB (issue 22)`,
          };
        },
      );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
  printTable(
    [
      'target',
      'sessions',
      'sign-ins/s',
      'RSS empty',
      'RSS full',
      'RSS x peer',
      'store size',
      'per session',
      'store detail',
    ],
    rows,
  );
}

if (isMain(import.meta.url)) await runFootprintBench();
