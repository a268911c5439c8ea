/**
 * The Redis store on a real Redis Cluster (3 primaries, 3 replicas, test/support/redis-cluster.ts):
 * the store contract, the API contract over HTTP, the "not now" replies (TRYAGAIN during a slot
 * migration, CLUSTERDOWN with a shard gone), a failover, and the outage scenarios that also run
 * on one redis-server (redis-outage-scenarios.ts): decisions 018, 025 and 028.
 * Loud skip without redis-server; under CI=true startRedisCluster throws and this file fails.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionResponse } from '../../../shared/contract';
import { createRedisStore } from '../../../server/stores/redis';
import { describeNotesContract } from '../../contract/notes-api.contract';
import { serverTargetOn } from '../../contract/server-target';
import { describeSessionContract } from '../../contract/session-api.contract';
import { startRedisCluster, testNodeTimeoutMs } from '../../support/redis-cluster';
import type { RedisServer } from '../../support/redis-server';
import { cookieFrom, createTestClock, startTestServer } from '../../support/test-server';
import { apiClient, expectError, useTestApps } from '../helpers';
import { describeNoteStoreContract } from './note-store-contract';
import { describeOutageScenarios } from './redis-outage-scenarios';
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

/** Every node running and the cluster ok, whatever a test before did to it. */
async function wholeCluster(): Promise<void> {
  const down = await cluster!.down();
  if (down.length > 0) await cluster!.restart(down);
  await cluster!.waitUntilOk();
}

/** The hash slot of every key of `username`'s data (its hash tag). */
async function slotOf(username: string): Promise<number> {
  const [node] = cluster!.nodes;
  return cluster!.withNode(node, (client) => client.cluster('KEYSLOT', username));
}

describe.skipIf(!cluster)('"not now" replies from the cluster answer 503 and change nothing', () => {
  const { inProcess } = useTestApps();

  /** The app on the cluster, in-process, with a clock that moves only when the test moves it. */
  async function appOnCluster() {
    const app = await inProcess({ store: await freshClusterStore(), clock: createTestClock() });
    return { app, api: apiClient(app) };
  }

  /**
   * Sends `requests` at once until a round in which all answer 503 `store_unavailable` and a log
   * line names `reply`; every answer of every round must be that 503. A request may also be cut
   * off by the store's own 2 s limit before ioredis gives up retrying `reply` (a 503 as well): a
   * few rounds make sure the reply itself was seen. Returns how long the last round took.
   */
  async function expectUnavailableFor(
    app: Awaited<ReturnType<typeof appOnCluster>>['app'],
    reply: 'TRYAGAIN' | 'CLUSTERDOWN',
    requests: (() => Promise<Response>)[],
  ): Promise<number> {
    for (let round = 1; ; round++) {
      const logged = app.logs.length;
      const sentAt = performance.now();
      const responses = await Promise.all(requests.map((request) => request()));
      const tookMs = Math.round(performance.now() - sentAt);
      for (const response of responses) await expectError(response, 503, 'store_unavailable');
      const lines = app.logs.slice(logged);
      if (lines.some((line) => line.includes('"store_unavailable"') && line.includes(reply))) return tookMs;
      if (round === 5) throw new Error(`5 rounds answered 503, none for ${reply}:\n${lines.join('\n')}`);
    }
  }

  const idleExpiresInMs = async (response: Response) => {
    expect(response.status).toBe(200);
    return ((await response.json()) as SessionResponse).session.idleExpiresInMs;
  };

  it('TRYAGAIN (a slot half migrated): 503 for a script on it; after the migration the session is as it was', async () => {
    await wholeCluster();
    const { app, api } = await appOnCluster();
    const cookie = cookieFrom(await api.signIn('alice'));

    // Move alice's slot to another primary the way redis-cli --cluster reshard does, and stop
    // halfway: her session index on the target, her session hash still on the source.
    const slot = await slotOf('alice');
    const source = await cluster!.primaryOfSlot(slot);
    const target = (await cluster!.primaries()).find((node) => node !== source)!;
    const idOf = (node: RedisServer) => cluster!.withNode(node, (client) => client.cluster('MYID'));
    const [sourceId, targetId] = await Promise.all([idOf(source), idOf(target)]);
    /** Ends the migration: every key of the slot moved, the slot the target's everywhere. */
    const finishMigration = async () => {
      for (;;) {
        const keys = await cluster!.withNode(source, (client) => client.cluster('GETKEYSINSLOT', slot, 100));
        if (keys.length === 0) break;
        await cluster!.withNode(source, (client) =>
          client.call('MIGRATE', '127.0.0.1', target.port, '', 0, 5_000, 'KEYS', ...keys),
        );
      }
      const rest = (await cluster!.primaries()).filter((node) => node !== source && node !== target);
      for (const node of [target, source, ...rest]) {
        await cluster!.withNode(node, (client) => client.call('CLUSTER', 'SETSLOT', slot, 'NODE', targetId));
      }
    };
    let tookMs: number;
    try {
      await cluster!.withNode(target, (client) => client.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', sourceId));
      await cluster!.withNode(source, (client) => client.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId));
      const index = 'idle-session:{alice}:sessions';
      await cluster!.withNode(source, (client) => client.call('MIGRATE', '127.0.0.1', target.port, index, 0, 5_000));
      const [sessionKey] = (
        await cluster!.withNode(source, (client) => client.cluster('GETKEYSINSLOT', slot, 100))
      ).filter((key) => key.startsWith('idle-session:{alice}:session:'));
      // What Redis answers a command that names both keys now, on the target (after an ASK).
      await expect(
        cluster!.withNode(target, async (client) => {
          await client.asking();
          return client.exists(sessionKey, index);
        }),
      ).rejects.toThrow(/^TRYAGAIN/);

      app.clock.advance(10_000);
      // Sign-out and the heartbeat are scripts on both keys: ASK, TRYAGAIN, ... until ioredis gives up.
      tookMs = await expectUnavailableFor(app, 'TRYAGAIN', [
        () => api.signOut(cookie),
        () => api.heartbeat(cookie, { idleForMs: 0 }),
      ]);
      // A read of the one key still on the source is served; never a 401 or 500.
      expect([200, 503]).toContain((await api.getSession(cookie)).status);
    } finally {
      await finishMigration();
    }

    // Still signed in (the sign-out did not happen), and the deadline is where the sign-in put it
    // (the heartbeat did not happen): 60 s idle, 10 s of which have passed.
    expect(await idleExpiresInMs(await api.getSession(cookie))).toBe(50_000);
    expect(await idleExpiresInMs(await api.heartbeat(cookie, { idleForMs: 0 }))).toBe(60_000);
    console.log(`TRYAGAIN: the requests answered 503 after ${tookMs} ms`);
  }, 40_000);

  it('CLUSTERDOWN (a primary and its replica gone, full coverage required): 503 for every user; after, the sessions are as they were', async () => {
    await wholeCluster();
    const { app, api } = await appOnCluster();
    const shard = await cluster!.primaryOfSlot(await slotOf('alice'));
    let elsewhere = '';
    for (let i = 0; elsewhere === '' && i < 100; i++) {
      if ((await cluster!.primaryOfSlot(await slotOf(`user${i}`))) !== shard) elsewhere = `user${i}`;
    }
    expect(elsewhere).not.toBe('');
    const cookie = cookieFrom(await api.signIn('alice'));
    const otherCookie = cookieFrom(await api.signIn(elsewhere));
    app.clock.advance(10_000);

    const gone = [shard, ...(await cluster!.replicasOf(shard))];
    expect(gone).toHaveLength(2);
    const survivors = cluster!.nodes.filter((node) => !gone.includes(node));
    const requireFullCoverage = (value: 'yes' | 'no') =>
      Promise.all(
        survivors.map((node) =>
          cluster!.withNode(node, (client) => client.config('SET', 'cluster-require-full-coverage', value)),
        ),
      );
    await requireFullCoverage('yes');
    let restartedAt: number | undefined;
    try {
      const killedAt = performance.now();
      await cluster!.kill(gone);
      // The survivors see the shard fail (cluster-node-timeout) and, with a slot uncovered, the
      // whole cluster goes down: every node answers every command CLUSTERDOWN.
      await expect
        .poll(() => cluster!.withNode(survivors[0], (client) => client.cluster('INFO')), {
          timeout: 10_000,
          interval: 50,
        })
        .toMatch(/cluster_state:fail/);
      const downAfterMs = Math.round(performance.now() - killedAt);

      const tookMs = await expectUnavailableFor(app, 'CLUSTERDOWN', [
        // A user whose shard still runs.
        () => api.signOut(otherCookie),
        () => api.heartbeat(otherCookie, { idleForMs: 0 }),
        () => api.getSession(otherCookie),
        // The user whose shard is gone: out of reach, not lost (never a 401).
        () => api.getSession(cookie),
        () => api.heartbeat(cookie, { idleForMs: 0 }),
      ]);
      console.log(
        `CLUSTERDOWN: cluster_state:fail ${downAfterMs} ms after the kill; the requests answered 503 after ${tookMs} ms; ` +
          `/api/health meanwhile: ${(await api.health()).status}`,
      );
    } finally {
      await requireFullCoverage('no');
      await cluster!.restart(gone);
      restartedAt = performance.now();
      await cluster!.waitUntilOk();
    }

    // Every session there again (appendonly), the shard's users' once its primary serves.
    await expect.poll(async () => (await api.getSession(cookie)).status, { timeout: 20_000, interval: 50 }).toBe(200);
    console.log(
      `CLUSTERDOWN: the restarted shard served again ${Math.round(performance.now() - restartedAt!)} ms after its restart`,
    );
    // Nothing the CLUSTERDOWN replies refused happened: not signed out, deadline not moved.
    expect(await idleExpiresInMs(await api.getSession(otherCookie))).toBe(50_000);
    expect(await idleExpiresInMs(await api.heartbeat(otherCookie, { idleForMs: 0 }))).toBe(60_000);
    expect((await api.heartbeat(cookie, { idleForMs: 0 })).status).toBe(200);
  }, 60_000);
});

describeOutageScenarios(
  'a Redis Cluster',
  {
    // The file's cluster, emptied; hang and kill act on every node, restart brings every node
    // back on its port with its nodes.conf and appendonly file.
    async deploy() {
      await wholeCluster();
      await cluster!.flush();
      return {
        openStore: () => createRedisStore(cluster!.url, { cluster: true }),
        hang: () => cluster!.pause(),
        resume: () => cluster!.resume(),
        kill: () => cluster!.kill(),
        restart: () => cluster!.restart(),
        keepsData: true,
      };
    },
    hangMs: 4_000,
  },
  { skip: !cluster },
);

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
