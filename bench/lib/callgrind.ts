/**
 * Machine instructions per heartbeat of our server, counted by valgrind's callgrind. CPU time on
 * a shared 2-core machine moves 2x between rounds of one build; this count moved 0.3% between runs
 * of one build here (2026-12-06), so it decides a few percent that timed rounds cannot. It is not
 * time: a cache miss counts as one instruction. Under callgrind the server runs about 50 times
 * slower, one thread at a time, so the load is small and counted, not timed.
 *
 * How: the server starts under `valgrind --tool=callgrind` with counting off, is warmed up
 * (its JIT settles), then `callgrind_control` turns counting on, a fixed number of heartbeats are
 * answered, and `callgrind_control -d` writes the counts, one file per thread.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { signInMany, startOurs, type OurServerEnv } from './targets';
import { median } from './table';

/** valgrind names its control pipe after these; the server and callgrind_control must agree. */
const controlEnv = { USER: 'bench', LOGNAME: 'bench', HOST: '127.0.0.1' };

/** Why instructions cannot be counted here, or undefined when they can. */
export function callgrindMissing(): string | undefined {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const run = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (run.error || run.status !== 0) return `${tool} not found (apt-get install valgrind)`;
  }
  return undefined;
}

export interface InstructionCount {
  /** All threads of the process, per heartbeat: the median window. */
  perHeartbeat: number;
  /** The main thread alone (where requests are answered), per heartbeat: the median window. */
  mainThread: number;
  /** Each window's figures, in order. */
  windows: { perHeartbeat: number; mainThread: number }[];
  /** One `scrape`, counted alone after the windows (all threads, main thread); none without one. */
  scrape?: { all: number; mainThread: number };
}

/**
 * Instructions per heartbeat of the compiled server with `env`: `windows` counted windows of
 * `perWindow` heartbeats each, after `warmUp` uncounted ones; the median window is the figure.
 * Other threads (presumably V8's collector and compiler helpers; not traced) come in lumps: a
 * window's all-thread count moved by up to 25%; the median of three windows moves less.
 *
 * `scrape`, when given, runs twice during the warm-up (a running server has been scraped before:
 * a first scrape compiles code) and once more, alone, after the windows, counted on its own.
 */
export async function countInstructions(
  env: OurServerEnv,
  {
    warmUp = 6_000,
    windows = 3,
    perWindow = 1_500,
    connections = 10,
    scrape,
  }: {
    warmUp?: number;
    windows?: number;
    perWindow?: number;
    /** Heartbeats in flight at once. */
    connections?: number;
    scrape?: (output: string) => Promise<void>;
  } = {},
): Promise<InstructionCount> {
  const dir = mkdtempSync(join(tmpdir(), 'idle-session-callgrind-'));
  const server = await startOurs({ ...env, USER: controlEnv.USER, LOGNAME: controlEnv.LOGNAME }, [], {
    wrapper: [
      'valgrind',
      '--tool=callgrind',
      '--instr-atstart=no',
      '--separate-threads=yes',
      `--callgrind-out-file=${join(dir, 'counts')}.%p`,
    ],
    startTimeoutMs: 180_000,
  });
  try {
    const control = (...command: string[]) => {
      const run = spawnSync('callgrind_control', [...command, String(server.pid)], {
        encoding: 'utf8',
        env: { ...process.env, ...controlEnv },
      });
      if (run.status !== 0 || /error|failed/i.test(run.stderr)) {
        throw new Error(`callgrind_control ${command.join(' ')}: ${run.stderr || run.stdout}`);
      }
    };
    const cookies = await signInMany(server.url, 200, 10);
    const heartbeats = (amount: number) =>
      autocannon({
        url: server.url,
        connections,
        amount,
        timeout: 60,
        requests: cookies.map((cookie) => ({
          method: 'POST',
          path: '/api/session/heartbeat',
          headers: { 'content-type': 'application/json', origin: server.url, cookie },
          body: '{}',
        })),
      });
    const failed = (result: autocannon.Result) => result.non2xx + result.errors + result.timeouts;
    let warmFailures = 0;
    for (let part = 0; part < 2; part++) {
      warmFailures += failed(await heartbeats(warmUp / 2));
      await scrape?.(server.output());
    }
    if (warmFailures > 0) throw new Error(`${warmFailures} of the warm-up heartbeats failed`);
    control('-i', 'on');
    for (let window = 0; window < windows; window++) {
      control('-z');
      const failures = failed(await heartbeats(perWindow));
      control('-d');
      if (failures > 0) throw new Error(`${failures} of the counted heartbeats failed`);
    }
    if (scrape) {
      control('-z');
      await scrape(server.output());
      control('-d');
    }

    // One file per dump and thread: counts.<pid>.<dump>-<thread>.
    const counted = new Map<number, { all: number; main: number }>();
    for (const file of readdirSync(dir)) {
      const match = new RegExp(`^counts\\.${server.pid}\\.(\\d+)-(\\d+)$`).exec(file);
      if (!match) continue;
      const totals = Number(/^totals: (\d+)$/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1] ?? 0);
      const dump = counted.get(Number(match[1])) ?? { all: 0, main: 0 };
      dump.all += totals;
      if (Number(match[2]) === 1) dump.main += totals;
      counted.set(Number(match[1]), dump);
    }
    const dumps = [...counted.entries()].sort(([a], [b]) => a - b).map(([, dump]) => dump);
    if (dumps.length !== windows + (scrape ? 1 : 0) || dumps.some((dump) => dump.main === 0)) {
      throw new Error(`callgrind wrote ${dumps.length} counts, not one per window`);
    }
    const figures = dumps
      .slice(0, windows)
      .map(({ all, main }) => ({ perHeartbeat: all / perWindow, mainThread: main / perWindow }));
    const scraped = scrape ? dumps[windows] : undefined;
    return {
      perHeartbeat: median(figures.map((figure) => figure.perHeartbeat)),
      mainThread: median(figures.map((figure) => figure.mainThread)),
      windows: figures,
      scrape: scraped && { all: scraped.all, mainThread: scraped.main },
    };
  } finally {
    await server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
