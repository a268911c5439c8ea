/**
 * The operator settings (issue 21): the metrics listener and the drain after SIGTERM. Apart from
 * config.ts so that they read as one group; parseConfig includes them.
 */
import { ConfigError, readDuration } from './config-values';

export interface OperationsConfig {
  /** METRICS_PORT: where `GET /metrics` is served (0: any free port); undefined (the default): no metrics at all. */
  metricsPort: number | undefined;
  /** METRICS_HOST: the metrics listener's address, loopback by default (never the public one unasked). */
  metricsHost: string;
  /**
   * SHUTDOWN_DRAIN: after SIGTERM, how long `/api/health/ready` answers 503 while requests are
   * still served, before the server stops accepting, in ms (0: stop at once).
   */
  shutdownDrainMs: number;
}

type Env = Record<string, string | undefined>;

export function readOperationsConfig(env: Env, publicPort: number): OperationsConfig {
  const raw = env.METRICS_PORT;
  let metricsPort: number | undefined;
  if (raw !== undefined && raw !== '') {
    metricsPort = Number(raw);
    if (!/^\d{1,5}$/.test(raw) || metricsPort > 65535) {
      throw new ConfigError('METRICS_PORT', `"${raw}" is not a port number (0-65535); leave it unset for no metrics`);
    }
    if (metricsPort !== 0 && metricsPort === publicPort) {
      throw new ConfigError(
        'METRICS_PORT',
        `must not be PORT (${publicPort}): metrics are never served on the public port`,
      );
    }
  }
  const drain = env.SHUTDOWN_DRAIN;
  return {
    metricsPort,
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    shutdownDrainMs: drain === '0' ? 0 : (readDuration(env, 'SHUTDOWN_DRAIN') ?? 0),
  };
}
