import { Cluster, type Redis } from 'ioredis';

/**
 * What the Redis store's two parts (redis.ts for sessions, counters and device tokens,
 * redis-notes.ts for notes and drafts) share: the key layout's rules, the TTL rules, the reply
 * checks and the walk over every primary. Each exists here once (issue 24).
 */

/** A single Redis or a Redis Cluster (REDIS_CLUSTER=true): the store speaks to both alike. */
export type RedisClient = Redis | Cluster;

/** Every key starts with this, so the store can share a Redis with other apps. */
export const prefix = 'idle-session:';

/**
 * The start of every key of one user's data: `idle-session:{<username>}:`. The braces are a
 * Redis Cluster hash tag: only what is between them picks the slot, so all of a user's keys live
 * in one slot and every script touches one slot. `%`, `{` and `}` in a username are
 * percent-encoded, so the tag is never empty or cut short and two usernames never share keys.
 */
export function userPrefix(username: string): string {
  return `${prefix}{${username.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}}:`;
}

/** The SCAN pattern of one kind of per-user key (`kind` after the tag), on every primary. */
export const everyUser = (kind: string) => `${prefix}{*}:${kind}`;

/**
 * How long a key lives in Redis past the moment the app's clock ends it: Redis expiry is the
 * garbage collector, never the rule (the app may run a clock far from Redis's own).
 */
export const gcMarginMs = 60_000;

/** A duration for PEXPIRE or PX: at least 1 ms (0 or less would be an error, or delete the key). */
export function ttl(ms: number): number {
  return Math.max(1, Math.ceil(ms));
}

/**
 * The replies of a pipeline or a MULTI; throws the first command's error, if any. A `null` (a
 * transaction Redis discarded) is an error too, never a success.
 */
export function throwFirstError(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis discarded the transaction');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  return results.map(([, reply]) => reply);
}

/** Keys handed to a walk's callback at a time, and the SCAN COUNT hint. */
export const batchSize = 500;

/**
 * Calls `onBatch` with the keys matching `pattern`, a batch at a time, walking each primary with
 * SCAN (on a single Redis, the one server): no global index of every user is needed. A key may
 * come twice (SCAN's guarantee is "at least once" for keys present throughout), so `onBatch`
 * must be idempotent; the purges and counts that use this are.
 */
export async function forEachKey(
  client: RedisClient,
  pattern: string,
  onBatch: (keys: string[]) => Promise<void>,
): Promise<void> {
  const primaries = client instanceof Cluster ? client.nodes('master') : [client];
  for (const node of primaries) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', batchSize);
      cursor = next;
      if (keys.length > 0) await onBatch(keys);
    } while (cursor !== '0');
  }
}

/** Adds up what `count` returns for every key matching `pattern`, on every primary. */
export async function sumOverKeys(
  client: RedisClient,
  pattern: string,
  count: (key: string) => Promise<number>,
): Promise<number> {
  let total = 0;
  await forEachKey(client, pattern, async (keys) => {
    for (const n of await Promise.all(keys.map(count))) total += n;
  });
  return total;
}

/** Defines the scripts as commands on the client (EVALSHA, falling back to EVAL once per script). */
export function defineScripts<Names extends string>(
  client: RedisClient,
  scripts: Record<Names, { numberOfKeys?: number; lua: string }>,
): RedisClient & Record<Names, (...args: (string | number)[]) => Promise<unknown>> {
  for (const [name, script] of Object.entries(scripts) as [string, { numberOfKeys?: number; lua: string }][]) {
    client.defineCommand(name, script);
  }
  return client as RedisClient & Record<Names, (...args: (string | number)[]) => Promise<unknown>>;
}
