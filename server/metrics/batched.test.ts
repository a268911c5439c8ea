import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/virtual-time';
import { BatchedCounter, BatchedHistogram } from './batched';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const labelNames = ['route', 'status_class'] as const;

/** The same two metrics, one registry made of prom-client's own, one of the batched ones. */
function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  // A registry's default labels come between `le` and the series' own, in both.
  for (const registry of [theirs, ours]) registry.setDefaultLabels({ instance: 'a' });
  const config = { name: 'request_seconds', help: 'Durations.', labelNames, buckets };
  const counterConfig = { name: 'outcomes_total', help: 'Outcomes.', labelNames: ['outcome'] as const };
  return {
    theirs: {
      registry: theirs,
      histogram: new Histogram({ ...config, registers: [theirs] }),
      counter: new Counter({ ...counterConfig, registers: [theirs] }),
    },
    ours: {
      registry: ours,
      histogram: new BatchedHistogram({ ...config, registers: [ours] }),
      counter: new BatchedCounter({ ...counterConfig, registers: [ours] }),
    },
  };
}

/** Values that land on bounds, between them, below the first and past the last. */
function valueFrom(random: () => number): number {
  const pick = random();
  if (pick < 0.3) return buckets[Math.floor(random() * buckets.length)];
  if (pick < 0.4) return 0;
  if (pick < 0.5) return 5 + random() * 100;
  return random() * 0.05;
}

/** prom-client's JSON with its `exemplar: null` (no exemplar: they are off) left out. */
function withoutExemplars(metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) {
  return metrics.map((metric) => ({
    ...metric,
    values: metric.values.map((value) => {
      const { exemplar, ...rest } = value as typeof value & { exemplar?: unknown };
      return exemplar === null || exemplar === undefined ? rest : value;
    }),
  }));
}

describe('BatchedHistogram and BatchedCounter', () => {
  it('read line for line as prom-client’s Histogram and Counter given the same observations, scrape after scrape', async () => {
    const seed = Number(process.env.METRICS_SEED) || Math.floor(Math.random() * 1_000_000);
    const random = seededRandom(seed);
    const replay = `seed ${seed} (METRICS_SEED=${seed} replays)`;
    const { theirs, ours } = pair();
    const routes = ['/api/session', '/api/session/heartbeat', '/*'];
    const classes = ['2xx', '4xx', '5xx'];
    const outcomes = ['ok', 'bad_request', 'unauthenticated'];
    let reordered = false;
    for (let step = 0; step < 3_000; step++) {
      const what = random();
      if (what < 0.6) {
        const labels = {
          route: routes[Math.floor(random() * routes.length)],
          status_class: classes[Math.floor(random() * classes.length)],
        };
        // Half the time in the other order of names: one series either way.
        const given = random() < 0.5 ? labels : { status_class: labels.status_class, route: labels.route };
        const value = valueFrom(random);
        theirs.histogram.observe(given, value);
        ours.histogram.series(given).observe(value);
      } else if (what < 0.95) {
        const labels = { outcome: outcomes[Math.floor(random() * outcomes.length)] };
        theirs.counter.inc(labels);
        // Through a cell, and now and then prom-client's own inc on the same counter.
        if (random() < 0.9) ours.counter.cell(labels).pending++;
        else ours.counter.inc(labels);
      } else if (what < 0.985) {
        await expectSame(`${replay}, step ${step}`);
      } else {
        // The rare ones: a reset, or one series zeroed or removed, in both.
        const which = random();
        const labels = { route: routes[Math.floor(random() * routes.length)], status_class: '2xx' };
        const outcome = { outcome: outcomes[Math.floor(random() * outcomes.length)] };
        if (which < 0.25) {
          theirs.registry.resetMetrics();
          ours.registry.resetMetrics();
        } else if (which < 0.5) {
          theirs.histogram.zero(labels);
          ours.histogram.zero(labels);
        } else if (which < 0.75) {
          theirs.histogram.remove(labels);
          ours.histogram.remove(labels);
          theirs.counter.remove(outcome);
          ours.counter.remove(outcome);
        } else {
          theirs.histogram.remove(labels.route, labels.status_class);
          ours.histogram.remove(labels.route, labels.status_class);
          theirs.counter.remove(outcome.outcome);
          ours.counter.remove(outcome.outcome);
        }
        reordered = true;
      }
    }
    await expectSame(replay);

    /**
     * The same text and JSON. After a reset, a zero or a remove, the same lines: a series comes
     * back where (and with its labels in the order) its next write puts it in prom-client, and
     * stays where it was in ours. Prometheus reads either the same.
     */
    async function expectSame(message: string) {
      const [text, json] = [await ours.registry.metrics(), await ours.registry.getMetricsAsJSON()];
      const [theirText, theirJson] = [
        await theirs.registry.metrics(),
        withoutExemplars(await theirs.registry.getMetricsAsJSON()),
      ];
      const lines = (metrics: string) =>
        metrics
          .split('\n')
          .map((line) => line.replace(/\{(.*)\}/, (_, labels: string) => `{${labels.split(',').sort().join(',')}}`))
          .sort();
      if (reordered) expect(lines(text), message).toEqual(lines(theirText));
      else {
        expect(text, message).toBe(theirText);
        expect(json, message).toEqual(theirJson);
      }
    }
  });

  it('a series is one object per label set, checked once: an unknown label name throws as prom-client’s does', () => {
    const { ours, theirs } = pair();
    const series = ours.histogram.series({ route: '/x', status_class: '2xx' });
    expect(ours.histogram.series({ status_class: '2xx', route: '/x' })).toBe(series);
    expect(ours.counter.cell({ outcome: 'ok' })).toBe(ours.counter.cell({ outcome: 'ok' }));
    // 200 and '200' are one series in prom-client, one line of text: one series here too.
    const codes = new BatchedHistogram({ name: 'codes', help: 'Codes.', labelNames: ['code'], buckets, registers: [] });
    expect(codes.series({ code: 200 })).toBe(codes.series({ code: '200' }));
    const unknown = { route: '/x', kind: 'y' } as unknown as { route: string };
    expect(() => theirs.histogram.observe(unknown, 1)).toThrow(/not included in initial labelset/);
    expect(() => ours.histogram.series(unknown)).toThrow(/not included in initial labelset/);
    expect(() => ours.counter.cell({ kind: 'y' } as unknown as { outcome: string })).toThrow(
      /not included in initial labelset/,
    );
  });

  it('refuses what would be lost or meaningless: prom-client’s own ways to observe, and values that are not numbers', () => {
    const { ours } = pair();
    expect(() => ours.histogram.observe({ route: '/x' }, 1)).toThrow(/series\(labels\)/);
    expect(() => ours.histogram.labels('/x', '2xx')).toThrow(/series\(labels\)/);
    expect(() => ours.histogram.startTimer()).toThrow(/series\(labels\)/);
    const series = ours.histogram.series({ route: '/x', status_class: '2xx' });
    expect(() => series.observe(Number.NaN)).toThrow(TypeError);
    const config = { name: 'x', help: 'X.', registers: [], enableExemplars: true };
    expect(() => new BatchedHistogram({ ...config, buckets } as never)).toThrow(/no exemplars/);
    expect(() => new BatchedCounter(config as never)).toThrow(/no exemplars/);
    expect(() => series.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
  });
});
