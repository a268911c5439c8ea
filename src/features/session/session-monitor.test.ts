import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionTiming } from '../../../shared/contract';
import {
  createSessionMonitor,
  maxInputWindowMs,
  type HeartbeatOutcome,
  type SessionMonitorOptions,
} from './session-monitor';

const idleTimeoutMs = 60_000;
const warningMs = 30_000;
const heartbeatIntervalMs = 10_000;
const absoluteTimeoutMs = 8 * 3_600_000;

/** A tiny stand-in for the server's rules, on the same fake clock. */
function fakeServer({ absoluteMs = absoluteTimeoutMs } = {}) {
  const createdAt = Date.now();
  let lastActivityAt = createdAt;
  const timing = (): SessionTiming => ({
    idleTimeoutMs,
    warningMs,
    heartbeatIntervalMs,
    idleExpiresInMs: lastActivityAt + idleTimeoutMs - Date.now(),
    absoluteExpiresInMs: createdAt + absoluteMs - Date.now(),
  });
  return {
    heartbeats: [] as number[],
    timing,
    deadline: () => Math.min(lastActivityAt + idleTimeoutMs, createdAt + absoluteMs),
    async heartbeat(idleForMs: number): Promise<HeartbeatOutcome> {
      const sentAt = Date.now();
      this.heartbeats.push(idleForMs);
      lastActivityAt = Math.max(lastActivityAt, sentAt - Math.min(Math.max(idleForMs, 0), idleTimeoutMs));
      return { ok: true, sample: { timing: timing(), sentAt } };
    },
  };
}

function setup(overrides: Partial<SessionMonitorOptions> = {}, server = fakeServer()) {
  const onExpire = vi.fn();
  const broadcast = vi.fn();
  const monitor = createSessionMonitor({
    initial: { timing: server.timing(), sentAt: Date.now() },
    sendHeartbeat: (idleForMs) => server.heartbeat(idleForMs),
    broadcast,
    isLeader: () => true,
    onExpire,
    ...overrides,
  });
  monitor.start();
  return { monitor, server, onExpire, broadcast };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the deadline', () => {
  it('counts server durations from when the request was sent, so it is never later than the server one', () => {
    const server = fakeServer();
    const sentAt = Date.now();
    vi.advanceTimersByTime(800); // the answer took 800 ms to arrive
    const monitor = createSessionMonitor({
      initial: { timing: server.timing(), sentAt },
      sendHeartbeat: (ms) => server.heartbeat(ms),
      broadcast: () => {},
      isLeader: () => true,
      onExpire: () => {},
    });
    expect(monitor.getSnapshot().deadline).toBeLessThanOrEqual(server.deadline());
    expect(server.deadline() - monitor.getSnapshot().deadline).toBeLessThan(1_000);
  });

  it('opens the warning at deadline - warning and ends the session at the deadline', async () => {
    const { monitor, onExpire } = setup();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs - 1);
    expect(monitor.getSnapshot().phase).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(monitor.getSnapshot()).toMatchObject({ phase: 'warning', secondsLeft: 30 });
    await vi.advanceTimersByTimeAsync(warningMs - 1);
    expect(onExpire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onExpire).toHaveBeenCalledWith('idle');
    expect(monitor.getSnapshot().phase).toBe('expired');
  });

  it('decides from the clock, not from timers: a frozen tab expires on its next check', () => {
    const { monitor, onExpire } = setup();
    vi.setSystemTime(Date.now() + idleTimeoutMs + 1);
    monitor.check();
    expect(onExpire).toHaveBeenCalledWith('idle');
  });

  it('never opens the idle warning for the absolute limit, which no answer can extend', async () => {
    const server = fakeServer({ absoluteMs: 45_000 });
    const { monitor, onExpire } = setup({}, server);
    expect(monitor.getSnapshot()).toMatchObject({ bindingLimit: 'absolute', absoluteNotice: true });
    await vi.advanceTimersByTimeAsync(40_000);
    expect(monitor.getSnapshot().phase).toBe('active');
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onExpire).toHaveBeenCalledWith('absolute');
  });
});

describe('heartbeats', () => {
  it('report activity with a leading and a trailing edge, at most once per interval', async () => {
    const { monitor, server } = setup();
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs); // the interval since sign-in has passed
    monitor.reportActivity();
    expect(server.heartbeats).toHaveLength(1); // leading edge, at once
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(500);
      monitor.reportActivity();
    }
    expect(server.heartbeats).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    expect(server.heartbeats).toHaveLength(2); // trailing edge reports the last activity
    expect(server.heartbeats[1]).toBe(heartbeatIntervalMs - 5_000);
  });

  it('move the deadline to the last activity + idle', async () => {
    const { monitor } = setup();
    await vi.advanceTimersByTimeAsync(20_000);
    monitor.reportActivity();
    const activityAt = Date.now();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().deadline).toBe(activityAt + idleTimeoutMs);
  });

  it('are sent by the leader only; another tab steps in when activity waited two intervals', async () => {
    const { monitor, server } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    monitor.reportActivity();
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs - 1);
    expect(server.heartbeats).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.heartbeats).toHaveLength(1);
  });

  it('are not all sent at once by every tab after a long pause', async () => {
    const { monitor, server } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(25_000); // nobody did anything for more than two intervals
    const activityAt = Date.now();
    monitor.receive({ type: 'activity', at: activityAt });
    await vi.advanceTimersByTimeAsync(100);
    // The leader reported it at once (its leading edge), and this tab hears of it.
    const outcome = await server.heartbeat(100);
    if (outcome.ok)
      monitor.receive({ type: 'timing', sample: outcome.sample, reportedActivityAt: activityAt, leaderRank: 1 });
    await vi.advanceTimersByTimeAsync(3 * heartbeatIntervalMs);
    expect(server.heartbeats).toHaveLength(1); // the leader's only
  });

  it('send Stay signed in after a heartbeat that was in flight, and survive a sender that throws', async () => {
    const server = fakeServer();
    let release: () => void = () => {};
    let calls = 0;
    const sendHeartbeat = vi.fn(async (ms: number): Promise<HeartbeatOutcome> => {
      calls++;
      if (calls === 1) {
        await new Promise<void>((resolve) => (release = resolve));
        return server.heartbeat(ms);
      }
      if (calls === 2) throw new Error('boom');
      return server.heartbeat(ms);
    });
    const { monitor } = setup({ sendHeartbeat }, server);
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs - heartbeatIntervalMs);
    monitor.reportActivity(); // heartbeat 1 leaves and hangs
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs + 1_000);
    monitor.staySignedIn(); // during the hang
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(sendHeartbeat).toHaveBeenCalledTimes(2); // Stay signed in got its own request; it threw
    await vi.advanceTimersByTimeAsync(1_000); // retried after 1 s
    expect(sendHeartbeat).toHaveBeenCalledTimes(3);
    expect(monitor.getSnapshot().phase).toBe('active');
    expect(monitor.getSnapshot().deadline).toBe(server.deadline());
  });
});

describe('heartbeats', () => {
  it('wake a tab that slept before its activity counts: no silent extension past a missed warning', async () => {
    const { monitor, server } = setup();
    vi.setSystemTime(Date.now() + idleTimeoutMs - 5_000); // slept into the warning, no timer ran
    monitor.reportActivity(); // the first thing after waking is a mouse move
    await vi.advanceTimersByTimeAsync(0);
    expect(server.heartbeats).toHaveLength(0);
    expect(monitor.getSnapshot().phase).toBe('warning');
  });

  it('are left to the leader while its heartbeats reach this tab', async () => {
    const leader = fakeServer();
    const { monitor, server } = setup({ isLeader: () => false }, leader);
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(heartbeatIntervalMs / 2);
      monitor.reportActivity();
      if (i % 2 === 1) {
        const outcome = await leader.heartbeat(0); // the leader tab's heartbeat, heard here
        if (outcome.ok)
          monitor.receive({ type: 'timing', sample: outcome.sample, reportedActivityAt: Date.now(), leaderRank: 1 });
      }
    }
    expect(server.heartbeats).toHaveLength(3); // only the leader's
  });

  it('are not sent for activity during the warning', async () => {
    const { monitor, server } = setup();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs + 1_000);
    monitor.reportActivity();
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs * 2);
    expect(server.heartbeats).toHaveLength(0);
    expect(monitor.getSnapshot().phase).toBe('warning');
  });

  it('Stay signed in sends one at once, even from a tab that does not lead, and closes the warning', async () => {
    const { monitor, server, broadcast } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs + 1_000);
    monitor.staySignedIn();
    expect(monitor.getSnapshot().phase).toBe('active');
    await vi.advanceTimersByTimeAsync(0);
    expect(server.heartbeats).toEqual([0]);
    expect(broadcast).toHaveBeenCalledWith(expect.objectContaining({ type: 'timing' }));
    expect(monitor.getSnapshot().deadline).toBe(server.deadline());
  });

  it('retry with backoff on network failure and never end the session before the deadline', async () => {
    const server = fakeServer();
    let failing = true;
    const sendHeartbeat = vi.fn(async (ms: number): Promise<HeartbeatOutcome> =>
      failing ? { ok: false, kind: 'network' } : server.heartbeat(ms),
    );
    const { monitor, onExpire } = setup({ sendHeartbeat }, server);
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    monitor.reportActivity();
    await vi.advanceTimersByTimeAsync(0);
    expect(monitor.getSnapshot().reconnecting).toBe(true);
    await vi.advanceTimersByTimeAsync(7_000); // retries after 1, 2 and 4 s
    expect(sendHeartbeat).toHaveBeenCalledTimes(4);
    failing = false;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(monitor.getSnapshot().reconnecting).toBe(false);
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('end the session with reason expired on 401', async () => {
    const { monitor, onExpire } = setup({ sendHeartbeat: async () => ({ ok: false, kind: 'unauthenticated' }) });
    monitor.staySignedIn();
    await vi.advanceTimersByTimeAsync(0);
    expect(onExpire).toHaveBeenCalledWith('expired');
  });
});

describe('input events (reportInput)', () => {
  it('report every event’s own time: a heartbeat carries the newest input, also one held in its window', async () => {
    const { monitor, server } = setup();
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    monitor.reportInput(); // the leading edge: a heartbeat at once
    expect(server.heartbeats).toEqual([0]);
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs - 100);
    monitor.reportInput(); // starts a window
    await vi.advanceTimersByTimeAsync(50);
    const lastInputAt = Date.now();
    monitor.reportInput(); // held in that window
    await vi.advanceTimersByTimeAsync(50); // the trailing heartbeat leaves before the window ends
    expect(server.heartbeats).toEqual([0, Date.now() - lastInputAt]);
  });

  it('report the last input of a burst when its window ends', async () => {
    const { monitor, broadcast } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(2_000);
    monitor.reportInput();
    await vi.advanceTimersByTimeAsync(100);
    const lastInputAt = Date.now();
    monitor.reportInput();
    await vi.advanceTimersByTimeAsync(maxInputWindowMs + 1_000); // the window, then the broadcaster's second
    const activity = broadcast.mock.calls.map(([message]) => message).filter((message) => message.type === 'activity');
    expect(activity.at(-1)).toEqual({ type: 'activity', at: lastInputAt });
  });
});

describe('messages to other tabs', () => {
  it('report activity at once, then at most once a second, always including the last one', async () => {
    const { monitor, broadcast } = setup({ isLeader: () => false });
    const activityMessages = () =>
      broadcast.mock.calls.map(([message]) => message).filter((message) => message.type === 'activity');
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 0; i < 25; i++) {
      monitor.reportActivity();
      await vi.advanceTimersByTimeAsync(100);
    }
    const lastActivity = Date.now() - 100;
    await vi.advanceTimersByTimeAsync(1_000);
    const sent = activityMessages();
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(sent[sent.length - 1]).toEqual({ type: 'activity', at: lastActivity });
  });
});

describe('messages to other tabs from the tab that leads', () => {
  const activityMessages = (broadcast: ReturnType<typeof vi.fn>) =>
    broadcast.mock.calls
      .map(([message]) => message as { type: string; at?: number })
      .filter((message) => message.type === 'activity');

  it('report activity at most once per heartbeat interval, always including the last one', async () => {
    const { monitor, broadcast } = setup();
    await vi.advanceTimersByTimeAsync(1_000);
    for (let i = 0; i < 250; i++) {
      monitor.reportActivity();
      await vi.advanceTimersByTimeAsync(100);
    }
    const lastActivity = Date.now() - 100;
    expect(activityMessages(broadcast).length).toBeLessThanOrEqual(3); // 25 s: at once, at 10 s, at 20 s
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    const sent = activityMessages(broadcast);
    expect(sent.length).toBe(4);
    expect(sent.at(-1)).toEqual({ type: 'activity', at: lastActivity });
  });

  it('go back to once a second when this tab stops leading', async () => {
    let leads = true;
    const { monitor, broadcast } = setup({ isLeader: () => leads });
    await vi.advanceTimersByTimeAsync(1_000);
    const firstAt = Date.now();
    monitor.reportActivity(); // sent at once; the next would wait a heartbeat interval
    await vi.advanceTimersByTimeAsync(2_000);
    leads = false;
    monitor.reportActivity();
    await vi.advanceTimersByTimeAsync(0);
    expect(activityMessages(broadcast)).toEqual([
      { type: 'activity', at: firstAt },
      { type: 'activity', at: Date.now() },
    ]);
  });
});

describe('messages from other tabs', () => {
  it('a newer timing closes this tab’s warning', async () => {
    const { monitor, server } = setup();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs + 1_000);
    expect(monitor.getSnapshot().phase).toBe('warning');
    const outcome = await server.heartbeat(0);
    if (!outcome.ok) throw new Error('unreachable');
    monitor.receive({ type: 'timing', sample: outcome.sample, reportedActivityAt: Date.now(), leaderRank: 1 });
    expect(monitor.getSnapshot().phase).toBe('active');
  });

  it('activity elsewhere is reported by this tab when it leads', async () => {
    const { monitor, server } = setup();
    await vi.advanceTimersByTimeAsync(heartbeatIntervalMs);
    monitor.receive({ type: 'activity', at: Date.now() });
    expect(server.heartbeats).toHaveLength(1);
  });
});

describe('two tabs that both lead (a delayed tab election)', () => {
  // Tabs 0 and 1 lead. In the second case both hear the same news of tab 2 in the same
  // millisecond, and their timers fire in the same millisecond too: only their ranks differ.
  it.each([
    { where: 'in both leaders in turn', tabCount: 2, workIn: (event: number) => event % 2 },
    { where: 'only in a third tab, which does not lead', tabCount: 3, workIn: () => 2 },
  ])('converge on one stream when the user works $where', async ({ tabCount, workIn }) => {
    const server = fakeServer();
    /** What the server knew of the user's activity, and from when. */
    const learnt: { at: number; lastActivityAt: number }[] = [];
    const warnings: number[] = [];
    const tabs: ReturnType<typeof createSessionMonitor>[] = [];
    for (let tab = 0; tab < tabCount; tab++) {
      const monitor = createSessionMonitor({
        initial: { timing: server.timing(), sentAt: Date.now() },
        async sendHeartbeat(idleForMs) {
          const outcome = await server.heartbeat(idleForMs);
          learnt.push({ at: Date.now(), lastActivityAt: server.deadline() - idleTimeoutMs });
          return outcome;
        },
        // Like a BroadcastChannel: to every other tab, a moment later.
        broadcast(message) {
          for (const other of tabs) if (other !== monitor) setTimeout(() => other.receive(message), 1);
        },
        isLeader: () => tab < 2,
        onExpire: vi.fn(),
      });
      warnings.push(0);
      monitor.subscribe(() => void (monitor.getSnapshot().phase === 'warning' && warnings[tab]++));
      monitor.start();
      tabs.push(monitor);
    }

    // An event every 200 ms for 12 intervals, then quiet for the trailing edge.
    const intervals = 12;
    const activity: number[] = [];
    for (let event = 0; event < (intervals * heartbeatIntervalMs) / 200; event++) {
      await vi.advanceTimersByTimeAsync(200);
      activity.push(Date.now());
      tabs[workIn(event)].reportActivity();
    }
    await vi.advanceTimersByTimeAsync(2 * heartbeatIntervalMs);

    expect(warnings.every((count) => count === 0)).toBe(true);
    expect(server.heartbeats.length).toBeLessThanOrEqual(intervals + 2); // one stream, not one per leader
    // Each event reached the server within one interval, plus a tab broadcast (1 s) and the bus.
    const reportedAfter = activity.map((at) => learnt.find((known) => known.lastActivityAt >= at)!.at - at);
    expect(Math.max(...reportedAfter)).toBeLessThanOrEqual(heartbeatIntervalMs + 1_000 + 1);
  });
});
