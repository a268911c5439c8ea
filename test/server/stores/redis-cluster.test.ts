/**
 * The Redis store on a real Redis Cluster (3 primaries, 3 replicas, test/support/redis-cluster.ts):
 * the store contract, the API contract over HTTP, and a failover (decision 025).
 * Loud skip without redis-server; under CI=true startRedisCluster throws and this file fails.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../server/stores/redis';
import { describeNotesContract } from '../../contract/notes-api.contract';
import { serverTargetOn } from '../../contract/server-target';
import { describeSessionContract } from '../../contract/session-api.contract';
import { startRedisCluster, testNodeTimeoutMs } from '../../support/redis-cluster';
import { cookieFrom, createTestClock, startTestServer } from '../../support/test-server';
import { describeNoteStoreContract } from './note-store-contract';
import { describeStoreContract, limits, newRecord, t0 } from './store-contract';

const cluster = await startRedisCluster();
afterAll(() => cluster?.stop());

const freshClusterStore = async () => {
  // Each test starts from an empty cluster, so purge counts are exact.
  await cluster!.flush();
  return createRedisStore(cluster!.url, { cluster: true });
};

describeStoreContract('redis cluster', freshClusterStore, { skip: !cluster });
describeNoteStoreContract('redis cluster', freshClusterStore, { skip: !cluster });
if (cluster) {
  describeSessionContract('real server over HTTP on a Redis Cluster', serverTargetOn(freshClusterStore));
  describeNotesContract('real server over HTTP on a Redis Cluster', serverTargetOn(freshClusterStore));
}

describe.skipIf(!cluster)('the key layout on a cluster', () => {
  it('keeps each user in one slot, also with braces and % in the username', async () => {
    const store = await freshClusterStore();
    try {
      // "}x{" would end the hash tag early if it were not encoded; every script would then span
      // slots and the cluster would refuse it (CROSSSLOT).
      for (const username of ['}x{', '{a}', '%7D', 'plain']) {
        const record = newRecord(t0, username);
        await store.create(record, t0 + 60_000);
        expect(await store.extend(record.idHash, t0 + 1, t0 + 1, limits)).toBeDefined();
        expect((await store.listByUser(username, t0 + 1)).map((r) => r.idHash)).toEqual([record.idHash]);
        expect(await store.revoke(username, record.idHash, t0 + 1)).toBe(true);
        await store.putDraft(
          username,
          { noteId: null, baseRevision: null, title: 't', text: 'x', updatedAt: t0 },
          t0 + 60_000,
        );
      }
      expect(await store.countLive(t0 + 2)).toBe(0);
      expect(await store.purgeExpired(t0 + 120_000)).toBe(4);
      expect(await store.purgeDrafts(t0 + 120_000)).toBe(4);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!cluster)('a failover', () => {
  it('answers 503 while a primary is down, never 401 or 500, and every session is valid after', async () => {
    const clock = createTestClock();
    const server = await startTestServer({ store: await freshClusterStore(), clock });
    try {
      const headers = { 'Content-Type': 'application/json', Origin: server.url };
      // 60 users: their hash tags spread them over the three primaries.
      const cookies = await Promise.all(
        Array.from({ length: 60 }, async (_, i) =>
          cookieFrom(
            await fetch(`${server.url}/api/session`, {
              method: 'POST',
              headers: { ...headers, 'X-Test-Client': `10.1.0.${i}` },
              body: JSON.stringify({ username: `user${i}`, password: `user${i}_secret` }),
            }),
          ),
        ),
      );
      const readAll = () =>
        Promise.all(
          cookies.map(async (cookie) => (await fetch(`${server.url}/api/session`, { headers: { cookie } })).status),
        );
      expect(new Set(await readAll())).toEqual(new Set([200]));

      const [victim] = await cluster!.primaries();
      const stoppedAt = Date.now();
      await victim.kill();

      const seen = new Set<number>();
      let lastUnavailableAt: number | undefined;
      for (;;) {
        const statuses = await readAll();
        for (const status of statuses) seen.add(status);
        if (statuses.some((status) => status === 503)) lastUnavailableAt = Date.now();
        if (statuses.every((status) => status === 200) && lastUnavailableAt !== undefined) break;
        if (Date.now() - stoppedAt > 20_000) throw new Error(`no recovery within 20 s: ${[...seen].join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const windowMs = lastUnavailableAt - stoppedAt;
      console.log(
        `failover: 503s for ${windowMs} ms after the primary on port ${victim.port} was killed ` +
          `(cluster-node-timeout ${testNodeTimeoutMs} ms); statuses seen: ${[...seen].sort().join(', ')}`,
      );
      // Only "not now" while the replica takes over: no session was lost, none answered 401 or 500.
      expect([...seen].sort()).toEqual([200, 503]);
      // The failure detection (node timeout), the election and the client's slot refresh.
      expect(windowMs).toBeLessThan(10 * testNodeTimeoutMs);
      // Every session answered before the stop is still valid, and heartbeats write again.
      for (const cookie of cookies) {
        const beat = await fetch(`${server.url}/api/session/heartbeat`, {
          method: 'POST',
          headers: { ...headers, cookie },
          body: '{}',
        });
        expect(beat.status).toBe(200);
      }
    } finally {
      await server.close();
      await server.store.close();
    }
  });
});
