import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './ephemeral-port';
import { findRedisServer, startRedisServer, type RedisServer } from './redis-server';

export interface RedisCluster {
  /** A seed node's URL, `redis://127.0.0.1:<port>` (REDIS_URL with REDIS_CLUSTER=true). */
  url: string;
  /** Every node, primaries and replicas, as started. */
  nodes: RedisServer[];
  /** The nodes that are primaries now (after a failover, the promoted replicas among them). */
  primaries(): Promise<RedisServer[]>;
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
 * with no persistence and a short node timeout, and waits until every node says `cluster_state:ok`
 * and every replica is in sync.
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
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 6; i++) {
      // The cluster bus on a port of its own: port + 10000 may be past 65535 or taken.
      const busPort = await freePort();
      const node = await startRedisServer({
        extraArgs: (port) => [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
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
      nodes.push(node);
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
    return {
      url: nodes[0].url,
      nodes,
      primaries,
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
