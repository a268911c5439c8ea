import { createRequire } from 'node:module';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's default process metrics (`collectDefaultMetrics`: CPU, memory, heap spaces, file
 * descriptors, handles, GC, version, ...), all but one part: its event-loop-delay monitor
 * (`perf_hooks.monitorEventLoopDelay`, the `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds`
 * gauges). That monitor's timer cost a busy server more than every other metric together: on a
 * quiet machine, memory store, 7 paired rounds, the heartbeat with metrics on cost +13.0% CPU
 * with it sampling every 100 ms, +4.2% every 1 s, and +2.3% without it (decision 022).
 * `nodejs_eventloop_lag_seconds` stays, measured at each scrape as prom-client measures it:
 * how long a `setImmediate` waits.
 *
 * prom-client has no switch for one default metric, so each is loaded from its own module:
 * the list below is `collectDefaultMetrics.metricsList` without `eventLoopLag`, and
 * test/server/metrics.test.ts fails if prom-client adds or renames one.
 */
export const processMetricModules = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'processResources',
  'processHandles',
  'processRequests',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
] as const;

/** The default metric left out, and why: see above. */
export const leftOutProcessMetric = 'eventLoopLag';

type DefaultMetric = (registry: Registry, config: Record<string, unknown>) => void;
const require = createRequire(import.meta.url);

export function collectProcessMetrics(registry: Registry): void {
  const available = new Set(collectDefaultMetrics.metricsList);
  for (const name of processMetricModules) {
    // processResources exists only where process.getActiveResourcesInfo does (prom-client's rule).
    if (!available.has(name)) continue;
    (require(`prom-client/lib/metrics/${name}`) as DefaultMetric)(registry, {});
  }
  new Gauge({
    name: 'nodejs_eventloop_lag_seconds',
    help: 'Lag of event loop in seconds: how long a setImmediate waited at the scrape.',
    registers: [registry],
    async collect() {
      const start = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      this.set((performance.now() - start) / 1000);
    },
  });
}
