import {
  Counter,
  Histogram,
  type CounterConfiguration,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client';

/**
 * A histogram and a counter that a request updates in a few plain additions, for the metrics every
 * request writes (decision 034). prom-client's own `observe` and `inc` turn the labels into a
 * string key at each call, even on a child made by `labels()`, and look it up: on the memory store
 * that was 8,000 of the 9,800 machine instructions the metrics added to a heartbeat (+6.8%,
 * counted under callgrind). Here the caller asks once for the series of its labels and keeps it;
 * each observation is then a few additions on that object. prom-client still owns the rest: the
 * names, the label checks, the registry and the text a scrape reads.
 */

/** One label set of a {@link BatchedHistogram}: how many observations fell in each bucket, their sum and count. */
export class HistogramSeries {
  /** Observations per bucket, not cumulative: `counts[i]` are those in (bounds[i-1], bounds[i]]. */
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string | number>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    // prom-client's rule: a value that is not a number would make the sum meaningless.
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  /**
   * Its lines of a scrape, as prom-client's Histogram gives them: cumulative buckets (`le` the
   * first label), +Inf, sum and count. None while it has no observation (made, or reset, since).
   */
  values(name: string): MetricValueWithName<string>[] {
    if (this.count === 0) return [];
    let cumulative = 0;
    const buckets = this.bounds.map((bound, i) => {
      cumulative += this.counts[i];
      return { labels: { le: bound, ...this.labels }, value: cumulative, metricName: `${name}_bucket` };
    });
    return [
      ...buckets,
      { labels: { le: '+Inf', ...this.labels }, value: this.count, metricName: `${name}_bucket` },
      { labels: { ...this.labels }, value: this.sum, metricName: `${name}_sum` },
      { labels: { ...this.labels }, value: this.count, metricName: `${name}_count` },
    ];
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/** A histogram's settings: explicit buckets, and no `collect` (nothing to fill in at a scrape). */
export type BatchedHistogramConfiguration<T extends string> = Omit<HistogramConfiguration<T>, 'collect'> & {
  buckets: number[];
};

/**
 * A prom-client Histogram written only through {@link BatchedHistogram.series}; a scrape reads
 * those series. prom-client's own ways to observe (`observe`, `labels`, `startTimer`) throw here:
 * they would write where this histogram does not read. Given the same observations, it reads
 * exactly as a prom-client Histogram (batched.test.ts compares the two, line for line).
 */
export class BatchedHistogram<T extends string> extends Histogram<T> {
  private readonly bounds: number[];
  /** Not `labelNames`: prom-client keeps its array under that name and reads it. */
  private readonly knownLabelNames: ReadonlySet<string>;
  private readonly byKey = new Map<string, HistogramSeries>();
  private readonly config: BatchedHistogramConfiguration<T>;

  constructor(config: BatchedHistogramConfiguration<T>) {
    super(config);
    this.config = config;
    this.knownLabelNames = new Set(config.labelNames ?? []);
    this.bounds = [...config.buckets].sort((a, b) => a - b);
    // prom-client's constructor sets `observe` on the instance, not the prototype.
    this.observe = unsupported;
  }

  /** The series of these labels, made at the first call: keep it and observe on it. */
  series(labels: LabelValues<T>): HistogramSeries {
    const key = labelKey(labels);
    let series = this.byKey.get(key);
    if (!series) {
      // prom-client's rule, checked once per series instead of at each observation.
      for (const name of Object.keys(labels))
        if (!this.knownLabelNames.has(name))
          throw new Error(`Added label "${name}" is not included in initial labelset`);
      series = new HistogramSeries({ ...(labels as Record<string, string | number>) }, this.bounds);
      this.byKey.set(key, series);
    }
    return series;
  }

  override get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const { name, help, aggregator = 'sum' } = this.config;
    const metric = {
      name,
      help,
      type: 'histogram',
      aggregator,
      values: [...this.byKey.values()].flatMap((series) => series.values(name)),
    };
    // The object prom-client's Histogram.get() returns; its typings declare `type` a numeric enum
    // (it is this string at run time) and a `collect` that object does not have.
    return Promise.resolve(metric as unknown as MetricObjectWithValues<MetricValueWithName<T>>);
  }

  /** What the registry reads for the text when a metric has it, as prom-client's Histogram has: the same. */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    return this.get();
  }

  override labels(..._values: unknown[]): never {
    return unsupported();
  }

  override startTimer(..._labels: unknown[]): never {
    return unsupported();
  }

  override reset(): void {
    super.reset(); // prom-client's own fields, which its other methods (zero, remove) write to
    // prom-client's constructor calls reset() too, before this class has its fields.
    const byKey = this.byKey as typeof this.byKey | undefined;
    for (const series of byKey?.values() ?? []) series.reset();
  }
}

function unsupported(): never {
  throw new Error('A BatchedHistogram is observed through series(labels)');
}

/** One string per label set, whatever the order its names were given in. */
function labelKey(labels: object): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One label set of a {@link BatchedCounter}: what it counted since the last scrape. */
export interface CounterCell {
  pending: number;
}

/**
 * A prom-client Counter whose increments go through {@link BatchedCounter.cell}: a cell adds up in
 * a plain number, and each read of the counter (a scrape, `get()`) first adds every cell's
 * pending count to prom-client's own series, with `inc`. Reads as prom-client's Counter given
 * the same increments.
 */
export class BatchedCounter<T extends string> extends Counter<T> {
  private readonly cells: Map<string, { labels: LabelValues<T>; cell: CounterCell }>;

  constructor(config: CounterConfiguration<T>) {
    const cells = new Map<string, { labels: LabelValues<T>; cell: CounterCell }>();
    super({
      ...config,
      collect() {
        for (const { labels, cell } of cells.values()) {
          if (cell.pending === 0) continue;
          this.inc(labels, cell.pending);
          cell.pending = 0;
        }
        return config.collect?.call(this);
      },
    });
    this.cells = cells;
  }

  /** The cell of these labels, made at the first call: keep it and add to its `pending`. */
  cell(labels: LabelValues<T>): CounterCell {
    const key = labelKey(labels);
    let entry = this.cells.get(key);
    if (!entry) {
      this.inc(labels, 0); // prom-client's check of the label names, now; the series reads 0 until counted
      entry = { labels, cell: { pending: 0 } };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() too, before this class has its fields.
    const cells = this.cells as typeof this.cells | undefined;
    for (const { cell } of cells?.values() ?? []) cell.pending = 0;
  }
}
