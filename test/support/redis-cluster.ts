import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './ephemeral-port';
import { findRedisServer, startRedisServer, type RedisServer } from './redis-server';

export interface RedisCluster {
  /** A seed node's URL, `redis://127.0.0.1:<port>` (REDIS_URL with REDIS_CLUSTER=true). */
  url: string;
  /** Every node, primaries and replicas, as started (a restarted node replaces its entry). */
  nodes: RedisServer[];
  /** The nodes that are primaries now (after a failover, the promoted replicas among them). */
  primaries(): Promise<RedisServer[]>;
  /** The running replicas of `primary`, from its `INFO replication`. */
  replicasOf(primary: RedisServer): Promise<RedisServer[]>;
  /** The node that serves `slot` now (from `CLUSTER SLOTS` on a running node). */
  primaryOfSlot(slot: number): Promise<RedisServer>;
  /** Runs `use` with a plain client (no cluster redirects) on one node. */
  withNode<T>(node: RedisServer, use: (client: Redis) => Promise<T>): Promise<T>;
  /** The nodes that do not answer PING now (killed, or not started again yet). */
  down(): Promise<RedisServer[]>;
  /** SIGSTOP every node at once: each hangs, and none is left running to call another failed. */
  pause(): void;
  /** SIGCONT every node. */
  resume(): void;
  /** SIGKILL `which` (default: every node), as in a crash; waits until they have exited. */
  kill(which?: RedisServer[]): Promise<void>;
  /**
   * Starts `which` (default: every node) again on the same ports, with the same nodes.conf and
   * data directory (each node runs `appendonly yes`, so it finds what it had acknowledged), and
   * waits until each answers PING. Stops a node first if it still runs. Call `waitUntilOk` to
   * wait for the cluster.
   */
  restart(which?: RedisServer[]): Promise<void>;
  /** FLUSHALL on every primary: an empty cluster for the next test. */
  flush(): Promise<void>;
  /** Resolves when every running node says `cluster_state:ok`; rejects after `timeoutMs`. */
  waitUntilOk(timeoutMs?: number): Promise<void>;
  /** Stops every node (by pid) and removes their files. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * How long a node may be unreachable before the others call it failing (cluster-node-timeout).
 * Production keeps Redis's default (15 s) or a few seconds; a test keeps failovers short.
 */
export const testNodeTimeoutMs = 1_000;

const execFileAsync = promisify(execFile);

/** `redis-cli` beside redis-server, else on PATH, else undefined. */
function findRedisCli(server: string): string | undefined {
  const candidates = [
    join(dirname(server), 'redis-cli'),
    ...(process.env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'redis-cli')),
  ];
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

async function withClient<T>(port: number, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/**
 * Starts a Redis Cluster of 3 primaries and 3 replicas on free loopback ports
 * (`redis-server --cluster-enabled yes`, joined by `redis-cli --cluster create ... --cluster-replicas 1`),
 * with a short node timeout, and waits until every node says `cluster_state:ok` and every replica
 * is in sync.
 *
 * Each node runs `appendonly yes` with `appendfsync no` in a directory of its own: Redis writes
 * every change to its AOF before it answers (fsync is left to the OS), so a node killed with
 * SIGKILL and restarted (`restart`) has everything it acknowledged; only a crash of the machine
 * could lose it. `no` instead of production's `everysec` keeps the test deterministic: with
 * `everysec` Redis may hold a write back for up to 2 s while a slow fsync runs.
 *
 * Where redis-server or redis-cli is missing it says so loudly and returns undefined; under
 * `CI=true` that is a failure and this throws (as startRedisServer does).
 */
export async function startRedisCluster(): Promise<RedisCluster | undefined> {
  const server = findRedisServer();
  const cli = server && findRedisCli(server);
  if (!server || !cli) {
    const message = `${server ? 'redis-cli' : 'redis-server'} not found (looked in /usr/bin and on PATH); install it (apt-get install redis-server)`;
    if (process.env.CI === 'true') throw new Error(`${message}. CI=true: a missing part is a failure.`);
    console.warn(`\n${'!'.repeat(72)}\nSKIPPED: ${message}.\nThe Redis Cluster tests do not run.\n${'!'.repeat(72)}\n`);
    return undefined;
  }

  const dir = mkdtempSync(join(tmpdir(), 'idle-session-cluster-'));
  const nodes: RedisServer[] = [];
  /** How each node was started (port, bus port, data directory), to start it again the same way. */
  const specs = new Map<RedisServer, { port: number; busPort: number; dataDir: string }>();
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  const startNode = async (busPort: number, dataDir: string, port?: number): Promise<RedisServer> => {
    const node = await startRedisServer({
      port,
      appendOnlyDir: dataDir,
      extraArgs: (chosen) => [
        '--appendfsync',
        'no',
        // A replica's full sync starts at once, not after the 5 s Redis 7 waits for more replicas.
        '--repl-diskless-sync-delay',
        '0',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${chosen}.conf`),
        '--cluster-port',
        String(busPort),
        '--cluster-node-timeout',
        String(testNodeTimeoutMs),
        // A replica takes over however long it was cut off (a test kills primaries at will).
        '--cluster-replica-validity-factor',
        '0',
        // Slots of a failed primary answer CLUSTERDOWN; the others keep serving (decision 025).
        '--cluster-require-full-coverage',
        'no',
      ],
    });
    if (!node) throw new Error('redis-server not found');
    specs.set(node, { port: node.port, busPort, dataDir });
    return node;
  };
  try {
    for (let i = 0; i < 6; i++) {
      // The cluster bus on a port of its own: port + 10000 may be past 65535 or taken.
      const busPort = await freePort();
      const dataDir = join(dir, `node-${i}`);
      mkdirSync(dataDir);
      nodes.push(await startNode(busPort, dataDir));
    }
    await execFileAsync(
      cli,
      [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );

    const waitUntilOk = async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          nodes.map((node) =>
            withClient(node.port, async (client) => {
              const info = await client.cluster('INFO');
              if (!/cluster_state:ok/.test(info) || !/cluster_known_nodes:6/.test(info)) return false;
              const replication = await client.info('replication');
              return /role:master/.test(replication) || /master_link_status:up/.test(replication);
            }).catch(() => 'down' as const),
          ),
        );
        if (states.every((ok) => ok === true || ok === 'down') && states.some((ok) => ok === true)) return;
        if (Date.now() > deadline) throw new Error(`the Redis Cluster is not ok after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitUntilOk();

    const primaries = async () => {
      const roles = await Promise.all(
        nodes.map((node) =>
          withClient(node.port, async (client) => /role:master/.test(await client.info('replication'))).catch(
            () => false,
          ),
        ),
      );
      return nodes.filter((_, i) => roles[i]);
    };
    const running = async () =>
      (
        await Promise.all(
          nodes.map(async (node) =>
            (await withClient(node.port, async (client) => (await client.ping()) === 'PONG').catch(() => false))
              ? node
              : undefined,
          ),
        )
      ).filter((node) => node !== undefined);
    const nodeOnPort = (port: number) => {
      const node = nodes.find((candidate) => candidate.port === port);
      if (!node) throw new Error(`no node of this cluster on port ${port}`);
      return node;
    };
    return {
      url: nodes[0].url,
      nodes,
      primaries,
      async replicasOf(primary) {
        const replication = await withClient(primary.port, (client) => client.info('replication'));
        return [...replication.matchAll(/^slave\d+:.*\bport=(\d+)/gm)].map((match) => nodeOnPort(Number(match[1])));
      },
      async primaryOfSlot(slot) {
        const [asked] = await running();
        const ranges = await withClient(asked.port, (client) => client.cluster('SLOTS'));
        const range = ranges.find(([first, last]) => first <= slot && slot <= last);
        if (!range) throw new Error(`slot ${slot} is not served`);
        return nodeOnPort(range[2][1]);
      },
      withNode: (node, use) => withClient(node.port, use),
      async down() {
        const up = await running();
        return nodes.filter((node) => !up.includes(node));
      },
      pause: () => nodes.forEach((node) => node.pause()),
      resume: () => nodes.forEach((node) => node.resume()),
      async kill(which = nodes) {
        await Promise.all(which.map((node) => node.kill()));
      },
      async restart(which = [...nodes]) {
        await Promise.all(
          which.map(async (node) => {
            const spec = specs.get(node);
            if (!spec) throw new Error(`the node on port ${node.port} is not one this cluster started`);
            await node.stop();
            const again = await startNode(spec.busPort, spec.dataDir, spec.port);
            nodes[nodes.indexOf(node)] = again;
          }),
        );
      },
      async flush() {
        for (const node of await primaries()) await withClient(node.port, (client) => client.flushall());
      },
      waitUntilOk,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
