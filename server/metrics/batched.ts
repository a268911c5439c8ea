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
  /** Shown with no observation (prom-client's `zero`), until the next reset. */
  shownEmpty = false;

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
   * Its lines of a scrape, as prom-client's Histogram gives them: cumulative buckets, +Inf, sum and
   * count, with `le` (or nothing) as `labels` and the series' own labels as `sharedLabels`, the
   * form the registry writes (`le` first, a registry's default labels next, then these). None
   * while it has no observation (made, or reset, since) unless zeroed.
   */
  values(name: string): (MetricValueWithName<string> & { sharedLabels: Record<string, string | number> })[] {
    if (this.count === 0 && !this.shownEmpty) return [];
    const sharedLabels = this.labels;
    let cumulative = 0;
    const buckets = this.bounds.map((bound, i) => {
      cumulative += this.counts[i];
      return { labels: { le: bound }, sharedLabels, value: cumulative, metricName: `${name}_bucket` };
    });
    return [
      ...buckets,
      { labels: { le: '+Inf' }, sharedLabels, value: this.count, metricName: `${name}_bucket` },
      { labels: {}, sharedLabels, value: this.sum, metricName: `${name}_sum` },
      { labels: {}, sharedLabels, value: this.count, metricName: `${name}_count` },
    ];
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.shownEmpty = false;
  }
}

/**
 * A histogram's settings: explicit buckets; no `collect` (nothing to fill in at a scrape) and no
 * exemplars (prom-client's exemplar form of observing takes other arguments).
 */
export type BatchedHistogramConfiguration<T extends string> = Omit<
  HistogramConfiguration<T>,
  'collect' | 'enableExemplars'
> & {
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
  private readonly byKey = new Map<string, HistogramSeries>();
  private readonly metric: { name: string; help: string; aggregator: string; labelNames: readonly string[] };

  constructor(config: BatchedHistogramConfiguration<T>) {
    refuseExemplars(config);
    super(config);
    const { name, help, aggregator = 'sum', labelNames = [] } = config;
    this.metric = { name, help, aggregator, labelNames: [...labelNames] };
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
        if (!this.metric.labelNames.includes(name))
          throw new Error(`Added label "${name}" is not included in initial labelset`);
      series = new HistogramSeries(definedLabels(labels), this.bounds);
      this.byKey.set(key, series);
    }
    return series;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const metric = await this.getForPromString();
    // prom-client's get() gives each value its labels whole: `le` first, then the series' own.
    metric.values = metric.values.map((value) => {
      const { sharedLabels, ...rest } = value as typeof value & { sharedLabels?: object };
      return { ...rest, labels: { ...rest.labels, ...sharedLabels } };
    });
    return metric;
  }

  /** What the registry reads for the text when a metric has it, as prom-client's Histogram has. */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    const { name, help, aggregator } = this.metric;
    const metric = {
      name,
      help,
      type: 'histogram',
      aggregator,
      values: [...this.byKey.values()].flatMap((series) => series.values(name)),
    };
    // The object prom-client's Histogram returns; its typings declare `type` a numeric enum (it is
    // this string at run time) and a `collect` that object does not have.
    return Promise.resolve(metric as unknown as MetricObjectWithValues<MetricValueWithName<T>>);
  }

  /** Shows the series of these labels with zeros until it is observed, as prom-client's `zero`. */
  override zero(labels: LabelValues<T>): void {
    const series = this.series(labels);
    series.reset();
    series.shownEmpty = true;
  }

  /** Takes the series of these labels out of the scrape until it is observed again, as prom-client's `remove`. */
  override remove(...values: [LabelValues<T>] | (string | number)[]): void {
    this.byKey.get(labelKey(labelsOf(this.metric.labelNames, values)))?.reset();
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

/** A label set without its undefined values, which prom-client leaves out too. */
function definedLabels(labels: object): Record<string, string | number> {
  return Object.fromEntries(Object.entries(labels).filter(([, value]) => value !== undefined)) as Record<
    string,
    string | number
  >;
}

/**
 * One string per label set, whatever the order its names were given in, and the same for `200`
 * and `'200'` (one series in prom-client, one line in the text).
 */
function labelKey(labels: object): string {
  return JSON.stringify(
    Object.entries(definedLabels(labels))
      .map(([name, value]) => [name, String(value)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/** `remove`'s arguments as a label set: an object, or the values in the order of the label names. */
function labelsOf(labelNames: readonly string[], values: [object] | (string | number)[]): object {
  if (typeof values[0] === 'object') return values[0];
  return Object.fromEntries(labelNames.map((name, i) => [name, values[i]]));
}

/** The types leave exemplars out; this refuses them from JavaScript or a cast too. */
function refuseExemplars(config: object): void {
  if ((config as { enableExemplars?: boolean }).enableExemplars) throw new Error('Batched metrics have no exemplars');
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
  /** Not `labelNames`: prom-client keeps its array under that name and reads it. */
  private readonly labelNamesInOrder: readonly string[];

  constructor(config: Omit<CounterConfiguration<T>, 'enableExemplars'>) {
    refuseExemplars(config);
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
    this.labelNamesInOrder = [...(config.labelNames ?? [])];
  }

  /** The cell of these labels, made at the first call: keep it and add to its `pending`. */
  cell(labels: LabelValues<T>): CounterCell {
    const key = labelKey(labels);
    let entry = this.cells.get(key);
    if (!entry) {
      const copy = definedLabels(labels) as LabelValues<T>;
      this.inc(copy, 0); // prom-client's check of the label names, now; the series reads 0 until counted
      entry = { labels: copy, cell: { pending: 0 } };
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

  /** prom-client's `remove`, and the series' count not yet added with it. */
  override remove(...values: [LabelValues<T>] | string[]): void {
    super.remove(...(values as string[]));
    const cell = this.cells.get(labelKey(labelsOf(this.labelNamesInOrder, values)))?.cell;
    if (cell) cell.pending = 0;
  }
}
