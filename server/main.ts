import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseConfig } from './config';
import { ConfigError } from './config-values';
import { capConnectionsPerClient } from './http/connections';
import { nodeRequestListener } from './http/node-heartbeat';
import { httpOrigin, listeningOrigins } from './http/origin';
import { createJsonLogger } from './logger';
import { nodeDigests } from './session/node-digests';
import { spaRoutes } from './routes/spa';
import { openStore } from './stores/open-store';

const purgeIntervalMs = 60_000;
const logger = createJsonLogger();

function readConfig() {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

const { config, warnings } = readConfig();
for (const warning of warnings) console.warn(`Warning: ${warning}`);

const store = await openStore(config).catch((error: Error) => {
  console.error(`Cannot open the session store (SESSION_STORE=${config.store}): ${error.message}`);
  process.exit(1);
});
const { metricsPort, metricsHost, shutdownDrainMs } = config.operations;
// Metrics only when asked for: with METRICS_PORT unset, no middleware measures anything.
// prom-client is loaded only then, as the Redis client is only with SESSION_STORE=redis.
const prometheus = metricsPort === undefined ? undefined : await import('./metrics/prometheus');
const metrics = prometheus?.createPrometheusMetrics({ store });
let draining = false;

/**
 * Built once the server listens: by default its public origins are the ones it listens on (PORT=0
 * too). The app answers every request but the heartbeat's ordinary case (decision 033).
 */
let listener: RequestListener | undefined;
function buildListener(port: number): RequestListener {
  return nodeRequestListener({
    store,
    config: { ...config, publicOrigins: config.publicOrigins ?? listeningOrigins(config.host, port) },
    logger,
    pages: config.staticDir ? spaRoutes(config.staticDir) : undefined,
    clientAddress: (c) => getConnInfo(c).remote.address ?? 'unknown',
    digests: nodeDigests,
    metrics: metrics?.http,
    sessionEvents: metrics?.sessionEvents,
    readiness: { draining: () => draining },
  });
}

// Drafts past DRAFT_RETENTION go with the expired sessions.
const purge = () =>
  Promise.all([store.purgeExpired(Date.now()), store.purgeDrafts(Date.now())]).then(
    ([purged, drafts]) => {
      if (purged > 0) logger.info('sessions_purged', { count: purged });
      if (drafts > 0) logger.info('drafts_purged', { count: drafts });
    },
    (error: Error) => logger.error('purge_failed', { message: error.message }),
  );
void purge();
const purgeTimer = setInterval(purge, purgeIntervalMs);

// Slow clients (one byte every few seconds) must not hold a connection for minutes: the headers
// and the whole request must arrive in time, or Node answers 408 and closes. Node looks for
// requests past those timeouts every second (its default is 30 s).
const server = createServer(
  {
    headersTimeout: config.headersTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    connectionsCheckingInterval: 1_000,
  },
  // `listener` is set in the listening callback, which runs before the first connection is accepted.
  (incoming, outgoing) => listener!(incoming, outgoing),
);
server.listen(config.port, config.host, () => {
  const info = server.address() as AddressInfo;
  listener = buildListener(info.port);
  logger.info('listening', {
    url: httpOrigin(info.address, info.port),
    store: config.store,
    idleTimeoutMs: config.session.idleTimeoutMs,
    warningMs: config.session.warningMs,
    absoluteTimeoutMs: config.session.absoluteTimeoutMs,
  });
});
// Beyond this many open connections, new ones are closed at once.
server.maxConnections = config.maxConnections;
// And beyond this many from one client. Behind a trusted proxy every connection is the proxy's:
// the proxy limits its clients (README, "Running several instances").
if (!config.trustProxy) capConnectionsPerClient(server, config.maxConnectionsPerClient);

// The metrics listener: its own port and address (loopback by default), never the public one, in a
// worker thread of its own (metrics/metrics-listener.ts).
const metricsListener =
  metrics &&
  (await prometheus!
    .startMetricsListener({
      registry: metrics.registry,
      port: metricsPort!,
      host: metricsHost,
      // The users' server goes on; the operator learns why the scrapes fail.
      onFailure: (reason) => logger.error('metrics_listener_failed', { reason }),
    })
    .catch((error: Error) => {
      console.error(`Cannot start the metrics listener (METRICS_PORT=${metricsPort}): ${error.message}`);
      process.exit(1);
    }));
if (metricsListener) logger.info('metrics_listening', { url: metricsListener.url });

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  // Draining: /api/health/ready answers 503 so the load balancer sends no new traffic, while
  // everything else is still served; after SHUTDOWN_DRAIN the server stops accepting.
  draining = true;
  logger.info('shutting_down', { signal, drainMs: shutdownDrainMs });
  clearInterval(purgeTimer);
  setTimeout(() => process.exit(1), shutdownDrainMs + 10_000).unref();
  setTimeout(stopAccepting, shutdownDrainMs);
}

function stopAccepting() {
  // close() stops accepting connections and waits for in-flight requests; idle keep-alive
  // connections would hold it open, so they are closed now.
  void metricsListener?.close();
  server.close(() => {
    void store.close().finally(() => {
      logger.info('stopped');
      process.exit(0);
    });
  });
  if ('closeIdleConnections' in server) server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
