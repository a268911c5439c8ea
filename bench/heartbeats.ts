/**
 * How many heartbeat requests the client design sends while a user works, against two common
 * designs, in one run on a simulated clock. It drives the real session monitor
 * (src/features/session/session-monitor.ts) and the server's real timing rules
 * (server/session/expiry.ts); only the network and the tabs are simulated.
 *
 * Run alone: npx tsx bench/heartbeats.ts
 */
import { defaultSessionConfig, type SessionConfig } from '../server/session/policy';
import {
  activityAfterHeartbeat,
  heartbeatIntervalMs,
  isExpired,
  sessionTiming,
  type SessionRecord,
} from '../server/session/expiry';
import {
  createSessionMonitor,
  type HeartbeatOutcome,
  type SessionMonitor,
  type TabMessage,
} from '../src/features/session/session-monitor';
import { heading, isMain, printTable, ratio } from './lib/table';
import { createVirtualTime, seededRandom, type VirtualTime } from './lib/virtual-time';

const config: SessionConfig = { ...defaultSessionConfig, idleTimeoutMs: 60_000, warningMs: 30_000 };
const interval = heartbeatIntervalMs(config); // 10 s for this config
const activeForMs = 10 * 60_000;
const eventEveryMs = 200;
/** After the user stops: long enough for every trailing request, short of the warning (30 s). */
const drainMs = 20_000;
/** Simulated one-way network latency; a round trip is twice this. */
const oneWayMs = 25;
/**
 * A leading-only throttle in front of the monitor, as react-idle-timer's `throttle` was before
 * decision 006. 0, as the client runs: every event reaches `reportInput` with its own time (the
 * monitor runs once per input window and throttles its own broadcasts). Set it to 500 to see what
 * a leading-only throttle loses at the end of the activity.
 */
const onActionThrottleMs = 0;
/** The naive design's throttle. */
const naiveThrottleMs = 1_000;
const tabCounts = [1, 3, 10];
const start = Date.UTC(2026, 0, 5, 9, 0, 0);

/** The server's session rules on the simulated clock; counts requests and remembers what it learnt when. */
function modelServer(time: VirtualTime) {
  const record: SessionRecord = {
    idHash: 'bench',
    username: 'test',
    createdAt: time.now(),
    lastActivityAt: time.now(),
    publicId: 'bench',
    browser: 'bench',
  };
  const learnt: { at: number; lastActivityAt: number }[] = [];
  let requests = 0;
  let alive = true;
  return {
    record,
    learnt,
    requests: () => requests,
    alive: () => alive,
    checkAlive() {
      if (isExpired(record, config, time.now())) alive = false;
    },
    /** POST /api/session/heartbeat: arrives one way later, answers one way after that. */
    async heartbeat(idleForMs: number): Promise<HeartbeatOutcome> {
      requests++;
      const sentAt = time.now();
      await time.sleep(oneWayMs);
      const at = time.now();
      this.checkAlive();
      record.lastActivityAt = activityAfterHeartbeat(record, config, at, idleForMs);
      learnt.push({ at, lastActivityAt: record.lastActivityAt });
      const timing = sessionTiming(record, config, at);
      await time.sleep(oneWayMs);
      return { ok: true, sample: { timing, sentAt } };
    },
  };
}
type ModelServer = ReturnType<typeof modelServer>;

interface Design {
  name: string;
  /** Sets up the tabs; returns what happens on a user event in a tab, and a teardown. */
  open(
    time: VirtualTime,
    server: ModelServer,
    tabs: number,
  ): { onUserEvent(tab: number): void; close(): void; notes(): Record<string, number> };
}

/** Ours: the real monitor in every tab, tab 0 leads, tabs share activity over a broadcast bus. */
const ours: Design = {
  name: 'ours',
  open(time, server, tabs) {
    const monitors: SessionMonitor[] = [];
    const lastAction = new Array<number>(tabs).fill(-Infinity);
    let tabMessages = 0;
    let warnings = 0;
    let expiries = 0;
    const initial = { timing: sessionTiming(server.record, config, time.now()), sentAt: time.now() };
    for (let tab = 0; tab < tabs; tab++) {
      const monitor = createSessionMonitor({
        initial,
        now: time.now,
        sendHeartbeat: (idleForMs) => server.heartbeat(idleForMs),
        // Like a BroadcastChannel: every other tab, asynchronously, never this one.
        broadcast(message: TabMessage) {
          tabMessages++;
          for (let other = 0; other < tabs; other++) {
            if (other !== tab) time.setTimeout(() => monitors[other].receive(message), 1);
          }
        },
        isLeader: () => tab === 0,
        onExpire: () => void expiries++,
      });
      let phase = monitor.getSnapshot().phase;
      monitor.subscribe(() => {
        const next = monitor.getSnapshot().phase;
        if (next === 'warning' && phase !== 'warning') warnings++;
        phase = next;
      });
      monitor.start();
      monitors.push(monitor);
    }
    return {
      onUserEvent(tab) {
        if (time.now() - lastAction[tab] < onActionThrottleMs) return;
        lastAction[tab] = time.now();
        monitors[tab].reportInput();
      },
      close: () => monitors.forEach((monitor) => monitor.stop()),
      notes: () => ({ tabMessages, warnings, expiries }),
    };
  },
};

/** Naive: every tab sends a request per activity event, throttled (leading and trailing edge) to 1/s. */
const naive: Design = {
  name: 'naive',
  open(time, server, tabs) {
    const lastSent = new Array<number>(tabs).fill(-Infinity);
    const trailing = new Array<number | undefined>(tabs).fill(undefined);
    const send = (tab: number) => {
      lastSent[tab] = time.now();
      void server.heartbeat(0);
    };
    return {
      onUserEvent(tab) {
        const wait = lastSent[tab] + naiveThrottleMs - time.now();
        if (wait <= 0) send(tab);
        else if (trailing[tab] === undefined) {
          trailing[tab] = time.setTimeout(() => {
            trailing[tab] = undefined;
            send(tab);
          }, wait);
        }
      },
      close: () => trailing.forEach((id) => time.clearTimeout(id)),
      notes: () => ({}),
    };
  },
};

/** Per-tab interval: every tab pings every 10 s if it saw activity since its last ping; no leader. */
const perTab: Design = {
  name: 'per-tab',
  open(time, server, tabs) {
    const active = new Array<boolean>(tabs).fill(false);
    const timers: (number | undefined)[] = [];
    // Tabs opened at different moments: each interval has its own phase.
    const phase = seededRandom(7);
    const tick = (tab: number) => {
      if (active[tab]) {
        active[tab] = false;
        void server.heartbeat(0);
      }
      timers[tab] = time.setTimeout(() => tick(tab), interval);
    };
    for (let tab = 0; tab < tabs; tab++) timers[tab] = time.setTimeout(() => tick(tab), Math.floor(phase() * interval));
    return {
      onUserEvent: (tab) => void (active[tab] = true),
      close: () => timers.forEach((id) => time.clearTimeout(id)),
      notes: () => ({}),
    };
  },
};

export interface HeartbeatResult {
  requests: number;
  /** Worst time from a user event until the server's lastActivityAt covered it. */
  worstDelayMs: number;
  /** User events the server never learnt of (should be 0). */
  unreported: number;
  /** The server session never expired while the user worked. */
  alive: boolean;
  notes: Record<string, number>;
}

async function simulate(design: Design, tabs: number): Promise<HeartbeatResult> {
  const time = createVirtualTime(start);
  const restore = time.install();
  try {
    const server = modelServer(time);
    const world = design.open(time, server, tabs);
    const random = seededRandom(1000 + tabs); // the same user for every design
    const events: number[] = [];
    const scheduleEvent = (at: number) => {
      if (at > start + activeForMs) return;
      time.setTimeout(() => {
        events.push(time.now());
        world.onUserEvent(Math.floor(random() * tabs));
        scheduleEvent(at + eventEveryMs);
      }, at - time.now());
    };
    scheduleEvent(start + eventEveryMs);
    await time.runUntil(start + activeForMs);
    server.checkAlive();
    await time.runUntil(start + activeForMs + drainMs);
    world.close();

    let worstDelayMs = 0;
    let unreported = 0;
    let j = 0;
    for (const at of events) {
      while (j < server.learnt.length && server.learnt[j].lastActivityAt < at) j++;
      if (j === server.learnt.length) unreported++;
      else worstDelayMs = Math.max(worstDelayMs, server.learnt[j].at - at);
    }
    return { requests: server.requests(), worstDelayMs, unreported, alive: server.alive(), notes: world.notes() };
  } finally {
    restore();
  }
}

export async function runHeartbeatBench(): Promise<void> {
  heading('Heartbeat requests: one user active for 10 minutes');
  console.log(
    `idle ${config.idleTimeoutMs / 1000} s, warning ${config.warningMs / 1000} s, heartbeat interval ${interval / 1000} s; ` +
      `a user event every ${eventEveryMs} ms in a random tab for ${activeForMs / 60_000} min, then ${drainMs / 1000} s quiet; ` +
      `simulated round trip ${2 * oneWayMs} ms.`,
  );
  console.log('ours    = the real session monitor in every tab, tab 0 leads, activity shared over a broadcast bus');
  console.log(`naive   = a request per activity event, throttled to 1/s per tab (leading + trailing edge)`);
  console.log(`per-tab = each tab pings every ${interval / 1000} s while it sees activity; no leader\n`);

  const rows: (string | number)[][] = [];
  const quality: (string | number)[][] = [];
  for (const tabs of tabCounts) {
    const [a, b, c] = [await simulate(ours, tabs), await simulate(naive, tabs), await simulate(perTab, tabs)];
    const label = `${tabs} tab${tabs === 1 ? '' : 's'}`;
    rows.push([
      label,
      a.requests,
      b.requests,
      c.requests,
      ratio(a.requests, b.requests, 3),
      ratio(a.requests, c.requests),
    ]);
    const delay = (r: HeartbeatResult) =>
      `${(r.worstDelayMs / 1000).toFixed(1)} s${r.unreported ? ` (${r.unreported} never)` : ''}`;
    const alive = [a, b, c].every((r) => r.alive) ? 'yes' : [a, b, c].map((r) => (r.alive ? 'yes' : 'NO')).join('/');
    quality.push([label, delay(a), delay(b), delay(c), a.notes.warnings, a.notes.expiries, a.notes.tabMessages, alive]);
  }
  printTable(['scenario', 'ours', 'naive', 'per-tab', 'ours/naive', 'ours/per-tab'], rows);
  console.log(
    '\nWhat each design buys with its requests: the worst delay from a user event until the server knew of it,',
  );
  console.log('and whether the user was ever warned or signed out (ours) or the server session lapsed (any design).\n');
  printTable(
    [
      'scenario',
      'worst delay ours',
      'naive',
      'per-tab',
      'warnings (ours)',
      'sign-outs (ours)',
      'bus messages (ours)',
      'session alive',
    ],
    quality,
  );
  if (quality.some((row) => String(row[1]).includes('never'))) {
    console.log(
      `\n"never": user events in the last ${onActionThrottleMs} ms that the monitor did not see, because the ` +
        `leading-only throttle keeps the first event of each ${onActionThrottleMs} ms and drops the rest.`,
    );
  }
}

if (isMain(import.meta.url)) await runHeartbeatBench();
