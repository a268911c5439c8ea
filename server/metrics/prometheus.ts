import { Counter, Gauge, Registry } from 'prom-client';
import type { Clock } from '../session/clock';
import type { SessionEndReason, SessionEvents } from '../session/session-lifecycle';
import type { SessionStore } from '../stores/store';
import { BatchedCounter, BatchedHistogram, type CounterCell, type HistogramSeries } from './batched';
import { collectProcessMetrics } from './process-metrics';
import { countedOutcome, statusClass, type AnsweredRequest, type HttpMetrics } from './http-metrics';

export { startMetricsListener } from './metrics-listener';

/** How old the active-sessions figure may be before a scrape counts again (decision 022). */
export const defaultActiveSessionsMaxAgeMs = 15_000;

/** Request durations, in seconds: a heartbeat takes about a millisecond, a stalled store 2 s. */
const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const endReasons: SessionEndReason[] = ['signed_out', 'idle', 'absolute', 'revoked', 'evicted', 'operator'];

export interface PrometheusMetrics {
  registry: Registry;
  http: HttpMetrics;
  sessionEvents: SessionEvents;
}

/**
 * This process's metrics, in a registry of its own (prom-client's global one would mix test
 * instances). Counters are per process: two instances on one Redis each count their own requests,
 * and Prometheus sums them. `idle_session_active_sessions` is the store's figure, the same on
 * every instance of one store: counted by the store (`countLive`) at a scrape, at most once per
 * `activeSessionsMaxAgeMs`, never per request.
 */
export function createPrometheusMetrics({
  store,
  clock = { now: () => Date.now() },
  activeSessionsMaxAgeMs = defaultActiveSessionsMaxAgeMs,
  processMetrics = true,
}: {
  store: SessionStore;
  clock?: Clock;
  activeSessionsMaxAgeMs?: number;
  /** The default Node process metrics (CPU, memory, event loop lag, GC): on for the server. */
  processMetrics?: boolean;
}): PrometheusMetrics {
  const registry = new Registry();
  // prom-client's defaults but its event-loop-delay monitor, which alone cost a heartbeat +13%
  // of CPU (process-metrics.ts, decision 022).
  if (processMetrics) collectProcessMetrics(registry);
  const registers = [registry];

  const signIns = new BatchedCounter({
    name: 'idle_session_sign_ins_total',
    help: 'Sign-in attempts (POST /api/session) by outcome: success, invalid_credentials, rate_limited, locked, bad_request, store_unavailable, error.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const sessionEnds = new Counter({
    name: 'idle_session_session_ends_total',
    help: 'Sessions ended, by reason: signed_out, idle, absolute, revoked (by their user), evicted (over the per-user cap), operator.',
    labelNames: ['reason'] as const,
    registers,
  });
  const heartbeats = new BatchedCounter({
    name: 'idle_session_heartbeats_total',
    help: 'Heartbeats (POST /api/session/heartbeat) by outcome: ok, unauthenticated, session_revoked, bad_request, store_unavailable, error.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const draftSaves = new BatchedCounter({
    name: 'idle_session_draft_saves_total',
    help: 'Draft saves (PUT /api/draft) by outcome: saved, unauthenticated, session_mismatch, not_found, limit_exceeded, bad_request, store_unavailable, error.',
    labelNames: ['outcome'] as const,
    registers,
  });
  const storeUnavailable = new Counter({
    name: 'idle_session_store_unavailable_total',
    help: 'Requests answered 503 store_unavailable: the session store was down, hung or cut off.',
    registers,
  });
  const duration = new BatchedHistogram({
    name: 'idle_session_http_request_duration_seconds',
    help: 'Time to answer a request, by route template (never the raw path), method and status class.',
    labelNames: ['route', 'method', 'status_class'] as const,
    buckets: durationBuckets,
    registers,
  });

  let counted: { value: number; at: number } | undefined;
  let counting: Promise<void> | undefined;
  const countActive = () =>
    (counting ??= store
      .countLive(clock.now())
      .then(
        (value) => void (counted = { value, at: clock.now() }),
        () => {}, // store down: the last figure stays, and store_unavailable_total tells the rest
      )
      .finally(() => (counting = undefined)));
  new Gauge({
    name: 'idle_session_active_sessions',
    help: 'Live sessions in the store (all instances of one store report the same figure), counted at most once per refresh interval.',
    registers,
    async collect() {
      if (!counted || clock.now() - counted.at >= activeSessionsMaxAgeMs) await countActive();
      if (counted) this.set(counted.value);
    },
  });
  for (const reason of endReasons) sessionEnds.labels(reason).inc(0);

  // What one kind of answer updates: its histogram series and its outcome counter's cell, made
  // once and found by route, method and status (strings the app already holds, so no key is
  // built per request). An answer with an error code or an outcome of the route's own is looked
  // up by those too. Updating them is a few additions (batched.ts, decision 034).
  type Instruments = { durations: HistogramSeries; outcome?: CounterCell };
  const cache = new Map<string, Map<string, Map<number, Instruments>>>();
  const counters = { signIns, heartbeats, draftSaves };
  const instrumentsFor = (answer: AnsweredRequest): Instruments => {
    const counted = countedOutcome(answer);
    return {
      durations: duration.series({
        route: answer.route,
        method: answer.method,
        status_class: statusClass(answer.status),
      }),
      outcome: counted && counters[counted.counter].cell({ outcome: counted.outcome }),
    };
  };
  const detailed = new Map<string, Instruments>();

  return {
    registry,
    http: {
      requestAnswered(answer: AnsweredRequest) {
        let instruments: Instruments | undefined;
        if (answer.errorCode === undefined && answer.outcome === undefined) {
          let byMethod = cache.get(answer.route);
          if (!byMethod) cache.set(answer.route, (byMethod = new Map()));
          let byStatus = byMethod.get(answer.method);
          if (!byStatus) byMethod.set(answer.method, (byStatus = new Map()));
          instruments = byStatus.get(answer.status);
          if (!instruments) byStatus.set(answer.status, (instruments = instrumentsFor(answer)));
        } else {
          const key = `${answer.route} ${answer.method} ${answer.status} ${answer.errorCode} ${answer.outcome}`;
          instruments = detailed.get(key);
          if (!instruments) detailed.set(key, (instruments = instrumentsFor(answer)));
        }
        instruments.durations.observe(answer.seconds);
        if (instruments.outcome) instruments.outcome.pending++;
      },
      storeUnavailable: () => storeUnavailable.inc(),
    },
    sessionEvents: { sessionEnded: (reason) => sessionEnds.labels(reason).inc() },
  };
}
