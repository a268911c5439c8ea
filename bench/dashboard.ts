/**
 * The README's dashboard picture, from real data: two compiled servers on one Redis with
 * METRICS_PORT on, a short load (users signing in, working, signing out, going idle, a guesser,
 * an operator ending one user, Redis stopped for a few seconds), both /metrics scraped every
 * second, and the panels of docs/grafana/idle-session.json computed from those scrapes (rates over
 * 3 s windows, the heartbeat p99 from the histogram's buckets as histogram_quantile does) and drawn
 * as an HTML page that the system Chromium screenshots: docs/screenshots/dashboard.png.
 * Not Grafana itself: the same queries over the same series, drawn here.
 *
 * Run: npm run screenshots:dashboard (needs redis-server and Chromium; about a minute).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from '@playwright/test';
import { sessionsEntry } from '../scripts/build.mjs';
import { repoRoot, startAppServer, type AppServer } from '../scripts/lib/app-server.mjs';
import { chromiumArgs, chromiumPath } from '../scripts/lib/chromium.mjs';
import { startRedisServer, type RedisServer } from '../test/support/redis-server';

const loadSeconds = Number(process.env.DASHBOARD_SECONDS) || 45;
const windowSeconds = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)); // load pacing, not a test
const settings = { IDLE_TIMEOUT: '8s', IDLE_WARNING: '4s', ABSOLUTE_TIMEOUT: '30s', MAX_SESSIONS_PER_USER: '3' };

type Sample = Map<string, number>;

/** The series of one /metrics text: `name{labels}` -> value (comments and process metrics skipped). */
function parseMetrics(text: string): Sample {
  const sample: Sample = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('idle_session_')) continue;
    const at = line.lastIndexOf(' ');
    sample.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return sample;
}

function labelsOf(series: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const match of series.matchAll(/(\w+)="([^"]*)"/g)) labels[match[1]] = match[2];
  return labels;
}

class Browser {
  cookie = '';
  publicId = '';
  /** When the session ends unless a heartbeat moves it, as the tab computes it (from when it sent). */
  deadline = 0;
  constructor(
    private readonly server: AppServer,
    readonly username: string,
  ) {}
  async call(path: string, init: { method?: string; body?: unknown } = {}) {
    const sentAt = Date.now();
    const response = await fetch(this.server.url + path, {
      method: init.method ?? 'GET',
      headers: {
        Origin: this.server.url,
        'Content-Type': 'application/json',
        ...(this.cookie ? { Cookie: this.cookie } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }).catch(() => undefined);
    if (!response) return 0;
    const setCookie = response.headers.get('Set-Cookie');
    if (setCookie?.startsWith('sid=') && response.status === 201) this.cookie = setCookie.split(';')[0];
    const body = (await response.json().catch(() => ({}))) as {
      session?: { id?: string; idleExpiresInMs: number; absoluteExpiresInMs: number };
    };
    if (response.ok && body.session) {
      if (body.session.id) this.publicId = body.session.id;
      this.deadline = sentAt + Math.min(body.session.idleExpiresInMs, body.session.absoluteExpiresInMs);
    }
    return response.status;
  }
  signIn(password = `${this.username}_secret`) {
    return this.call('/api/session', { method: 'POST', body: { username: this.username, password } });
  }
  heartbeat() {
    return this.call('/api/session/heartbeat', { method: 'POST', body: {} });
  }
}

async function user(servers: AppServer[], n: number, until: number) {
  const username = `user${n % 24}`;
  while (Date.now() < until) {
    const browser = new Browser(servers[Math.floor(Math.random() * servers.length)], username);
    if (Math.random() < 0.15) await browser.signIn('wrong');
    if ((await browser.signIn()) !== 201) {
      await sleep(1_000);
      continue;
    }
    // Most work a few seconds; one in six until the absolute limit ends the session.
    const work = n % 6 === 0 ? Infinity : 2_000 + Math.random() * 9_000;
    const started = Date.now();
    while (Date.now() - started < work && Date.now() < until && Date.now() < browser.deadline - 1_200) {
      const status = await browser.heartbeat();
      if (status === 401) break;
      if (Math.random() < 0.2)
        await browser.call('/api/draft', {
          method: 'PUT',
          body: { noteId: null, baseRevision: null, title: 'Draft', text: 'typing…' },
        });
      await sleep(700 + Math.random() * 600);
    }
    const leave = Math.random();
    if (work !== Infinity && leave < 0.45) await browser.call('/api/session', { method: 'DELETE' });
    else if (work !== Infinity && leave < 0.55) await browser.call('/api/sessions?keep=current', { method: 'DELETE' });
    else {
      // Goes idle (or reaches the absolute limit): at its deadline the tab signs out by itself,
      // naming its session, as the SPA does.
      await sleep(Math.max(0, browser.deadline - 100 - Date.now()));
      await browser.call(`/api/session?id=${browser.publicId}`, { method: 'DELETE' });
    }
    await sleep(Math.random() * 1_500);
  }
}

async function guesser(server: AppServer, until: number) {
  const browser = new Browser(server, 'victim');
  while (Date.now() < until) {
    await browser.signIn('guess');
    await sleep(900);
  }
}

async function main() {
  const redis = await startRedisServer();
  if (!redis) throw new Error('redis-server is needed for the dashboard run');
  const aof = mkdtempSync(join(tmpdir(), 'idle-session-dashboard-'));
  let current: RedisServer = redis;
  const servers: AppServer[] = [];
  try {
    // Restart it with the append-only file on, so the outage later keeps the sessions.
    await redis.stop();
    current = await startRedisServer({ port: redis.port, appendOnlyDir: aof }).then((server) => server!);
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startAppServer({
          env: { SESSION_STORE: 'redis', REDIS_URL: current.url, STATIC_DIR: '', METRICS_PORT: '0', ...settings },
        }),
      );
    }
    const metricsUrls = await Promise.all(servers.map(metricsUrlOf));

    const scrapes: { at: number; samples: Sample[] }[] = [];
    const start = Date.now();
    const until = start + loadSeconds * 1000;
    const scraper = setInterval(() => {
      const at = (Date.now() - start) / 1000;
      void Promise.all(metricsUrls.map(async (url) => parseMetrics(await (await fetch(url)).text()))).then(
        (samples) => scrapes.push({ at, samples }),
        () => {},
      );
    }, 1_000);

    const operator = (async () => {
      await sleep(loadSeconds * 330);
      for (const name of ['user3', 'user7']) {
        const { stdout } = await promisify(execFile)(process.execPath, [sessionsEntry, 'end', '--user', name], {
          env: { ...process.env, SESSION_STORE: 'redis', REDIS_URL: current.url, ...settings },
        });
        console.log(`dashboard: npm run sessions -- end --user ${name}: ${stdout.trim()}`);
      }
      await sleep(loadSeconds * 330);
      await current.stop();
      await sleep(4_000);
      current = (await startRedisServer({ port: redis.port, appendOnlyDir: aof }))!;
    })();
    await Promise.all([
      ...Array.from({ length: 40 }, (_, n) => user(servers, n, until)),
      guesser(servers[0], until),
      operator,
    ]);
    await sleep(1_500);
    clearInterval(scraper);
    scrapes.sort((a, b) => a.at - b.at);
    await render(scrapes);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    await current.stop();
    rmSync(aof, { recursive: true, force: true });
  }
}

/** The metrics listener's URL, from its log line (it may come just after `listening`). */
async function metricsUrlOf(server: AppServer): Promise<string> {
  for (let tries = 0; ; tries++) {
    const line = server
      .stdout()
      .split('\n')
      .find((entry) => entry.includes('"metrics_listening"'));
    if (line) return String((JSON.parse(line) as { url: string }).url);
    if (tries > 500) throw new Error(`no metrics_listening line:\n${server.output()}`);
    await sleep(20);
  }
}

type Series = { name: string; points: [number, number][] };

/** Sum over instances of the series matching `name` and `match`, grouped by `by`, per scrape. */
function grouped(scrapes: { at: number; samples: Sample[] }[], name: string, by: string, match = {}) {
  const groups = new Map<string, [number, number][]>();
  for (const { at, samples } of scrapes) {
    const sums = new Map<string, number>();
    for (const sample of samples)
      for (const [series, value] of sample) {
        if (!series.startsWith(name + '{') && series !== name) continue;
        const labels = labelsOf(series);
        if (!Object.entries(match).every(([key, wanted]) => labels[key] === wanted)) continue;
        const key = labels[by] ?? name;
        sums.set(key, (sums.get(key) ?? 0) + value);
      }
    for (const [key, value] of sums) {
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push([at, value]);
    }
  }
  return groups;
}

/** Per-second rate over `windowSeconds`, like rate(x[3s]). */
function rate(points: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i++) {
    const from = points.findIndex(([at]) => at >= points[i][0] - windowSeconds);
    if (from === i) continue;
    const [t0, v0] = points[from];
    const [t1, v1] = points[i];
    out.push([t1, Math.max(0, (v1 - v0) / (t1 - t0))]);
  }
  return out;
}

function rates(groups: Map<string, [number, number][]>): Series[] {
  return [...groups]
    .map(([name, points]) => ({ name, points: rate(points) }))
    .filter((s) => s.points.some(([, v]) => v > 0));
}

/** histogram_quantile over the bucket rates of the heartbeat's histogram. */
function quantile(scrapes: { at: number; samples: Sample[] }[], q: number): [number, number][] {
  const buckets = grouped(scrapes, 'idle_session_http_request_duration_seconds_bucket', 'le', {
    route: '/api/session/heartbeat',
    status_class: '2xx',
  });
  const les = [...buckets.keys()].sort((a, b) => Number(a) - Number(b));
  const rated = les.map((le) => rate(buckets.get(le)!));
  const out: [number, number][] = [];
  for (let i = 0; i < rated[0]?.length; i++) {
    const counts = rated.map((series) => series[i]?.[1] ?? 0);
    const total = counts[counts.length - 1];
    if (!total) continue;
    const rank = q * total;
    const j = counts.findIndex((count) => count >= rank);
    const upper = Number(les[j]);
    const lower = j === 0 ? 0 : Number(les[j - 1]);
    const below = j === 0 ? 0 : counts[j - 1];
    const value = Number.isFinite(upper)
      ? lower + ((upper - lower) * (rank - below)) / (counts[j] - below || 1)
      : lower;
    out.push([rated[0][i][0], value * 1000]);
  }
  return out;
}

const palette = ['#73bf69', '#f2cc0c', '#5794f2', '#ff780a', '#b877d9', '#f2495c', '#8ab8ff', '#fade2a'];

/** A time series panel: one line per series, as the dashboard draws them (not stacked). */
function chart(title: string, series: Series[], unit: string, span: number, maxX = lastScrapeAt): string {
  const width = span === 1.5 ? 970 : 570;
  const height = 210;
  const [left, top, right, bottom] = [48, 10, 10, 24];
  const maxY = Math.max(1e-9, ...series.flatMap((s) => s.points.map(([, v]) => v))) * 1.1;
  const x = (at: number) => left + ((width - left - right) * at) / maxX;
  const y = (v: number) => top + (height - top - bottom) * (1 - v / maxY);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * maxY);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const lines = series
    .filter((s) => s.points.length > 0)
    .map((s, i) => {
      const d = s.points.map(([at, v], k) => `${k ? 'L' : 'M'}${x(at).toFixed(1)},${y(v).toFixed(1)}`).join('');
      const color = palette[i % palette.length];
      const area = `<path d="${d}L${x(s.points.at(-1)![0])},${y(0)}L${x(s.points[0][0])},${y(0)}Z" fill="${color}" fill-opacity="0.08"/>`;
      return `${area}<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`;
    })
    .join('');
  const legend = series
    .map((s, i) => `<span><i style="background:${palette[i % palette.length]}"></i>${s.name}</span>`)
    .join('');
  return `<section class="panel span${span}"><h2>${title}</h2>
  <svg width="${width}" height="${height}">
    ${ticks.map((v) => `<line x1="${left}" x2="${width - right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${left - 6}" y="${y(v) + 4}" class="axis" text-anchor="end">${fmt(v)}</text>`).join('')}
    ${[0, 10, 20, 30, 40, 50, 60]
      .filter((t) => t <= maxX)
      .map((t) => `<text x="${x(t)}" y="${height - 6}" class="axis" text-anchor="middle">${t}s</text>`)
      .join('')}
    ${lines}
  </svg><div class="legend">${legend}<span class="unit">${unit}</span></div></section>`;
}

/** The time axis ends at the last scrape. */
let lastScrapeAt = loadSeconds;

async function render(scrapes: { at: number; samples: Sample[] }[]) {
  lastScrapeAt = Math.ceil(scrapes.at(-1)?.at ?? loadSeconds);
  const active = grouped(scrapes, 'idle_session_active_sessions', '__name__');
  // max over instances: both report the store's figure.
  const activePoints: [number, number][] = scrapes.map(({ at, samples }) => [
    at,
    Math.max(...samples.map((sample) => sample.get('idle_session_active_sessions') ?? 0)),
  ]);
  void active;
  const lastActive = activePoints.at(-1)?.[1] ?? 0;
  const storeOutages = scrapes.map(({ at, samples }) =>
    samples.map((sample) => [at, sample.get('idle_session_store_unavailable_total') ?? 0] as [number, number]),
  );
  const outageSeries: Series[] = [0, 1].map((i) => ({
    name: `instance ${i + 1}`,
    points: rate(storeOutages.map((row) => row[i] ?? [0, 0])),
  }));
  const panels = [
    `<section class="panel span0 stat"><h2>Active sessions</h2><div class="big">${lastActive}</div><p>max(idle_session_active_sessions)</p></section>`,
    chart('Active sessions over time', [{ name: 'active sessions', points: activePoints }], 'sessions', 1.5),
    chart('Sign-ins by outcome', rates(grouped(scrapes, 'idle_session_sign_ins_total', 'outcome')), 'per second', 1),
    chart(
      'Session ends by reason',
      rates(grouped(scrapes, 'idle_session_session_ends_total', 'reason')),
      'per second',
      1,
    ),
    chart(
      'Heartbeat latency p99',
      [
        { name: 'p99', points: quantile(scrapes, 0.99) },
        { name: 'p50', points: quantile(scrapes, 0.5) },
      ],
      'ms',
      1,
    ),
    chart(
      'Heartbeats by outcome',
      rates(grouped(scrapes, 'idle_session_heartbeats_total', 'outcome')),
      'per second',
      1,
    ),
    chart('Store outages (503 store_unavailable)', outageSeries, 'per second', 1),
    chart(
      'Draft saves by outcome',
      rates(grouped(scrapes, 'idle_session_draft_saves_total', 'outcome')),
      'per second',
      1,
    ),
  ];
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: #111217; color: #ccccdc; font: 13px Inter, 'Helvetica Neue', Arial, sans-serif; }
    header { padding: 12px 16px; font-size: 18px; color: #fff; border-bottom: 1px solid #2c2e36; }
    header small { color: #8e8e9a; font-size: 12px; margin-left: 12px; }
    main { display: flex; flex-wrap: wrap; gap: 8px; padding: 8px; width: 1200px; }
    .panel { background: #181b1f; border: 1px solid #2c2e36; border-radius: 3px; padding: 6px 8px; box-sizing: border-box; }
    .span1 { width: 588px; } .span1\\.5 { width: 988px; } .span0 { width: 188px; }
    h2 { font-size: 13px; font-weight: 500; color: #d8d9da; margin: 2px 0 6px; }
    .grid { stroke: #2c2e36; } .axis { fill: #8e8e9a; font-size: 10px; }
    .legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 11px; color: #ccccdc; }
    .legend i { display: inline-block; width: 12px; height: 3px; margin-right: 5px; vertical-align: middle; }
    .legend .unit { margin-left: auto; color: #8e8e9a; }
    .stat .big { font-size: 64px; color: #73bf69; text-align: center; margin-top: 40px; }
    .stat p { text-align: center; color: #8e8e9a; font-size: 10px; }
    footer { padding: 4px 16px 12px; color: #8e8e9a; font-size: 11px; width: 1180px; }
  </style></head><body>
  <header>Idle Session <small>docs/grafana/idle-session.json · two instances on one Redis · last ${lastScrapeAt} s</small></header>
  <main>${panels.join('')}</main>
  <footer>Real data: bench/dashboard.ts ran ${loadSeconds} s of load (40 users, a guesser, an operator ending two users, Redis stopped for 4 s)
  against two compiled servers and scraped both /metrics every second (${scrapes.length} scrapes, ${new Date().toISOString().slice(0, 10)});
  the panels are the dashboard's queries computed from those scrapes (rates over ${windowSeconds} s), drawn by the script, not by Grafana.</footer>
  </body></html>`;
  const page = await (
    await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] })
  ).newPage({
    viewport: { width: 1216, height: 900 },
  });
  await page.setContent(html);
  const path = join(repoRoot, 'docs', 'screenshots', 'dashboard.png');
  await page.screenshot({ path, fullPage: true });
  await page.context().browser()!.close();
  console.log(`dashboard: ${path} (${readFileSync(path).length} bytes, ${scrapes.length} scrapes)`);
}

await main();
