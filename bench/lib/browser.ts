/**
 * Chromium for the client-side benches (activity.ts, timing.ts): playwright-core's driver on the
 * system Chromium, and the real server (server/main.ts over dist/, as the end-to-end tests run it).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { makeTempDir, startAppServer, type AppServer } from '../../scripts/lib/app-server.mjs';
import { chromiumArgs, chromiumPath } from '../../scripts/lib/chromium.mjs';
import type { CallFrame } from './source-map';

/** A headless Chromium, or why there is none (the bench prints it and skips). */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(chromiumPath))
    return `no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`;
  try {
    return await chromium.launch({ executablePath: chromiumPath, args: [...chromiumArgs] });
  } catch (error) {
    return `Chromium at ${chromiumPath} did not start: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Runs `body` with the real server (SQLite in a temp folder, dist/ as the SPA), then stops it. */
export async function withAppServer<T>(env: Record<string, string>, body: (server: AppServer) => Promise<T>) {
  const data = makeTempDir('idle-session-bench-');
  const server = await startAppServer({ env: { DATABASE_PATH: `${data.path}/sessions.db`, ...env } });
  try {
    return await body(server);
  } finally {
    await server.stop();
    data.remove();
  }
}

/** Signs in through the login page (any username; the password is `<username>_secret`). */
export async function signInThroughPage(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(`${username}_secret`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByText('Signed in as').waitFor();
}

/** The renderer's main-thread script time so far, in ms (CDP Performance.getMetrics, ScriptDuration). */
export async function scriptMs(cdp: CDPSession): Promise<number> {
  return (await mainThreadMs(cdp)).script;
}

/**
 * The renderer's main thread so far, in ms (CDP Performance.getMetrics): `script` is ScriptDuration,
 * clock time inside script (time the thread waited for a core included); `cpu` is ThreadTime, the
 * thread's CPU time for all its work (script, style, layout, hit tests, tasks), waits excluded.
 */
export async function mainThreadMs(cdp: CDPSession): Promise<{ script: number; cpu: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
  return { script: value('ScriptDuration'), cpu: value('ThreadTime') };
}

/**
 * Counts React commits without touching the page's code: React calls the DevTools hook's
 * `onCommitFiberRoot` after every commit, in production builds too. Install before React loads.
 */
export async function countReactCommits(page: Page): Promise<() => Promise<number>> {
  await page.addInitScript(() => {
    const w = window as unknown as { __commits: number; __REACT_DEVTOOLS_GLOBAL_HOOK__: unknown };
    w.__commits = 0;
    // Methods, not arrow properties: tsx would wrap those in a naming helper the page does not have.
    w.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
      supportsFiber: true,
      renderers: new Map(),
      inject() {
        return 1;
      },
      checkDCE() {},
      onScheduleFiberRoot() {},
      onCommitFiberRoot() {
        w.__commits++;
      },
      onCommitFiberUnmount() {},
      onPostCommitFiberRoot() {},
    };
  });
  return () => page.evaluate(() => (window as unknown as { __commits: number }).__commits);
}

/** Top-level script in a trace: a call into JavaScript from the browser, a script or module run, microtasks. */
const scriptEvents = new Set(['v8.callFunction', 'v8.run', 'v8.evaluateModule', 'RunMicrotasks']);

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; data?: { type?: string } & Partial<CallFrame> };
}

/** One top-level script event of a trace with `entries`: what the browser called, and its thread time. */
export interface ScriptEntry {
  /** The task it ran in: `pointermove` (an event's listeners), `timer`, `frame`, `microtasks`, ... */
  task: string;
  /** The function called, when the trace names one (a listener, a timer's callback). */
  frame?: CallFrame;
  cpuUs: number;
}

/** The trace events that say which task a script event ran in. */
const taskEvents: Record<string, (event: TraceEvent) => string> = {
  EventDispatch: (event) => event.args?.data?.type ?? 'event',
  TimerFire: () => 'timer',
  FireAnimationFrame: () => 'frame',
  FireIdleCallback: () => 'idle callback',
};

/**
 * Runs `body` with Chromium tracing only V8's entry points (categories `v8`, `v8.execute`: no
 * arguments recorded, unlike `devtools.timeline`), and returns the renderer main thread's script
 * time in CPU terms: the thread time (`tdur`) of each top-level script event, nested ones counted
 * once, as ScriptDuration counts them, but without the time the thread waited for a core.
 * `scriptCalls` is how many times the browser called into JavaScript on that thread. With
 * `entries`, the trace adds `devtools.timeline`, which names each call's task and function
 * (`entries` in the result) and makes every call dearer.
 */
export async function traceScriptCpu<T>(
  browser: Browser,
  page: Page,
  body: () => Promise<T>,
  { entries = false }: { entries?: boolean } = {},
): Promise<{ result: T; scriptCpuMs: number; scriptCalls: number; entries: ScriptEntry[] }> {
  await browser.startTracing(page, { categories: ['v8', 'v8.execute', ...(entries ? ['devtools.timeline'] : [])] });
  const outcome = await body().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const trace = await browser.stopTracing();
  if (!outcome.ok) throw outcome.error;
  const parsed = JSON.parse(trace.toString('utf8')) as TraceEvent[] | { traceEvents: TraceEvent[] };
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = new Set(
    events
      .filter((event) => event.ph === 'M' && event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  // The page's renderer: the main thread that ran the most script (the others are idle pages).
  const byThread = new Map<string, TraceEvent[]>();
  for (const event of events) {
    const thread = `${event.pid}:${event.tid}`;
    if (event.ph !== 'X' || !mains.has(thread)) continue;
    const list = byThread.get(thread);
    if (list) list.push(event);
    else byThread.set(thread, [event]);
  }
  const isScript = (event: TraceEvent) => scriptEvents.has(event.name);
  const thread = [...byThread.values()].sort((a, b) => b.filter(isScript).length - a.filter(isScript).length)[0] ?? [];
  thread.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const end = (event: TraceEvent) => event.ts + (event.dur ?? 0);
  let scriptCpuUs = 0;
  let scriptCalls = 0;
  let openUntil = -Infinity;
  const found: ScriptEntry[] = [];
  /** The task and FunctionCall events around the current one, outermost first. */
  const tasks: TraceEvent[] = [];
  for (const [index, event] of thread.entries()) {
    while (tasks.length > 0 && end(tasks[tasks.length - 1]) <= event.ts) tasks.pop();
    if (event.name in taskEvents || event.name === 'FunctionCall') tasks.push(event);
    if (!isScript(event) || event.ts < openUntil) continue; // inside a script event already counted
    openUntil = end(event);
    const cpuUs = event.tdur ?? event.dur ?? 0;
    scriptCpuUs += cpuUs;
    if (event.name === 'v8.callFunction') scriptCalls++;
    if (!entries) continue;
    const task = tasks.findLast((around) => around.name !== 'FunctionCall');
    // The function: a FunctionCall around this script event or the first one inside it.
    let call = tasks.findLast((around) => around.name === 'FunctionCall');
    for (let k = index + 1; !call && k < thread.length && thread[k].ts < openUntil; k++)
      if (thread[k].name === 'FunctionCall') call = thread[k];
    const data = call?.args?.data;
    found.push({
      task: task ? taskEvents[task.name](task) : event.name === 'RunMicrotasks' ? 'microtasks' : event.name,
      // The trace counts lines and columns from 1, a call frame from 0.
      frame:
        data?.url === undefined
          ? undefined
          : {
              functionName: data.functionName ?? '',
              url: data.url,
              lineNumber: (data.lineNumber ?? 1) - 1,
              columnNumber: (data.columnNumber ?? 1) - 1,
            },
      cpuUs,
    });
  }
  return { result: outcome.value, scriptCpuMs: scriptCpuUs / 1000, scriptCalls, entries: found };
}
