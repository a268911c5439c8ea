/**
 * What the metrics cost a heartbeat (issue 21: within 5% of metrics off). The compiled server on
 * memory and on SQLite, twice each: METRICS_PORT unset (no metrics middleware at all) and
 * METRICS_PORT=0 (prom-client, the default process metrics, every request timed and counted),
 * with Prometheus's scrape played during the "on" rounds (`GET /metrics` every second, fifteen
 * times more often than a usual 15 s scrape interval). Rounds alternate between off and on.
 * The verdict compares the server's CPU time per heartbeat (steadier than req/s on a shared
 * machine) and req/s, median of the rounds.
 *
 * Run alone: npx tsx bench/metrics-cost.ts   Knobs: BENCH_ROUNDS (default 5), BENCH_SECONDS (3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { heading, isMain, printTable, ratio } from './lib/table';
import { signInMany, startOurs, type RunningTarget } from './lib/targets';

const rounds = Number(process.env.BENCH_ROUNDS) || 5;
const roundSeconds = Number(process.env.BENCH_SECONDS) || 3;
const connections = 50;
const liveSessions = 1000;
const scrapeEveryMs = 1_000;

interface Target {
  store: string;
  metrics: boolean;
  server: RunningTarget;
  cookies: string[];
  metricsUrl?: string;
}

interface Round {
  perSecond: number;
  p99: number;
  cpuPerRequest: number;
  errors: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(target: Target, seconds: number): Promise<Round> {
  const cpuBefore = target.server.cpuMs() ?? 0;
  let scrapes = 0;
  const scraper =
    target.metricsUrl === undefined
      ? undefined
      : setInterval(() => {
          scrapes++;
          void fetch(target.metricsUrl!).then((response) => response.text());
        }, scrapeEveryMs);
  try {
    const result = await autocannon({
      url: target.server.url,
      connections,
      duration: seconds,
      requests: target.cookies.map((cookie) => ({
        method: 'POST',
        path: '/api/session/heartbeat',
        headers: { 'content-type': 'application/json', origin: target.server.url, cookie },
        body: '{}',
      })),
    });
    const cpuMs = (target.server.cpuMs() ?? 0) - cpuBefore;
    return {
      perSecond: result.requests.total / result.duration,
      p99: result.latency.p99,
      cpuPerRequest: (cpuMs * 1000) / Math.max(1, result.requests.total + scrapes),
      errors: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    if (scraper) clearInterval(scraper);
  }
}

/** The metrics listener's URL, from its log line (METRICS_PORT=0 takes a free port). */
async function metricsUrlOf(server: RunningTarget): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = server
      .output()
      .split('\n')
      .find((entry) => entry.includes('"metrics_listening"'));
    if (line) return String((JSON.parse(line) as { url: string }).url);
    if (Date.now() > deadline) throw new Error(`no metrics_listening line:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20)); // polling a child's output, not waiting for time
  }
}

export async function runMetricsCostBench(): Promise<void> {
  heading(`Metrics: a heartbeat's cost with METRICS_PORT off and on (Node ${process.versions.node})`);
  console.log(
    `${connections} connections, ${liveSessions} live sessions rotated, ${rounds} alternating rounds of ${roundSeconds} s after a 1 s ` +
      `warm-up; "on" rounds scrape /metrics every ${scrapeEveryMs / 1000} s. CPU µs/req: the server's CPU time per answer.\n`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'idle-session-bench-metrics-'));
  const targets: Target[] = [];
  try {
    for (const store of ['memory', 'sqlite'] as const) {
      for (const metrics of [false, true]) {
        const server = await startOurs({
          SESSION_STORE: store,
          DATABASE_PATH: join(dir, `sessions-${metrics ? 'on' : 'off'}.db`),
          ...(metrics ? { METRICS_PORT: '0' } : {}),
        });
        const target: Target = { store, metrics, server, cookies: await signInMany(server.url, liveSessions) };
        if (metrics) target.metricsUrl = await metricsUrlOf(server);
        targets.push(target);
      }
    }
    for (const target of targets) await measure(target, 1);
    const results = new Map<Target, Round[]>(targets.map((target) => [target, []]));
    for (let round = 0; round < rounds; round++) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse())
        results.get(target)!.push(await measure(target, roundSeconds));
    }
    const rows: (string | number)[][] = [];
    const verdicts: string[] = [];
    for (const store of ['memory', 'sqlite']) {
      const [off, on] = [false, true].map((metrics) => {
        const runs = results.get(targets.find((t) => t.store === store && t.metrics === metrics)!)!;
        return {
          perSecond: median(runs.map((run) => run.perSecond)),
          p99: median(runs.map((run) => run.p99)),
          cpu: median(runs.map((run) => run.cpuPerRequest)),
          errors: runs.reduce((sum, run) => sum + run.errors, 0),
          spread: runs.map((run) => run.perSecond),
        };
      });
      for (const [label, row] of [
        ['off', off],
        ['on', on],
      ] as const) {
        rows.push([
          store,
          label,
          `${Math.round(row.perSecond)} [${Math.round(Math.min(...row.spread))}-${Math.round(Math.max(...row.spread))}]`,
          row.p99,
          row.cpu.toFixed(1),
          row.errors,
          ratio(row.perSecond, off.perSecond, 3),
          ratio(row.cpu, off.cpu, 3),
        ]);
      }
      const cpuCost = on.cpu / off.cpu - 1;
      verdicts.push(
        `${store}: CPU per heartbeat ${cpuCost >= 0 ? '+' : ''}${(cpuCost * 100).toFixed(1)}% with metrics on, ` +
          `req/s ${((on.perSecond / off.perSecond - 1) * 100).toFixed(1)}% (${Math.abs(cpuCost) <= 0.05 ? 'within' : 'NOT within'} 5%)`,
      );
    }
    printTable(
      ['store', 'metrics', 'heartbeats/s [range]', 'p99 ms', 'CPU µs/req', 'non-2xx', 'req/s x off', 'CPU x off'],
      rows,
    );
    for (const verdict of verdicts) console.log(verdict);
  } finally {
    for (const target of targets) await target.server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runMetricsCostBench();
