/** Session holds in the monitor (decision 024), on Vitest's fake clock. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionTiming } from '../../../shared/contract';
import { createSessionHolds } from './session-holds';
import { createSessionMonitor, type HeartbeatOutcome, type SessionMonitor, type TabMessage } from './session-monitor';

const idleTimeoutMs = 60_000;
const warningMs = 30_000;
const heartbeatIntervalMs = 10_000;

/** The server's rules for plain and hold heartbeats, on the fake clock. */
function fakeServer({ absoluteMs = 8 * 3_600_000, maxHoldMs = 4 * 3_600_000 } = {}) {
  const createdAt = Date.now();
  let lastActivityAt = createdAt;
  const timing = (): SessionTiming => ({
    idleTimeoutMs,
    warningMs,
    heartbeatIntervalMs,
    idleExpiresInMs: Math.max(0, lastActivityAt + idleTimeoutMs - Date.now()),
    absoluteExpiresInMs: Math.max(0, createdAt + absoluteMs - Date.now()),
  });
  const live = () => Date.now() < Math.min(lastActivityAt + idleTimeoutMs, createdAt + absoluteMs);
  return {
    sent: [] as { idleForMs: number; hold?: string }[],
    timing,
    async heartbeat(idleForMs: number, hold?: string): Promise<HeartbeatOutcome> {
      const sentAt = Date.now();
      this.sent.push(hold === undefined ? { idleForMs } : { idleForMs, hold });
      if (!live()) return { ok: false, kind: 'unauthenticated' };
      const held = hold !== undefined && idleForMs < maxHoldMs;
      const activityAt = held ? sentAt : sentAt - Math.min(Math.max(idleForMs, 0), idleTimeoutMs);
      lastActivityAt = Math.max(lastActivityAt, activityAt);
      const sample = { timing: timing(), sentAt };
      return hold !== undefined && !held ? { ok: true, sample, holdRefused: true } : { ok: true, sample };
    },
  };
}

type Server = ReturnType<typeof fakeServer>;

/** Tabs of one browser: each one's broadcast reaches the others (not itself), unless it crashed. */
function browser(server: Server) {
  const tabs: { monitor: SessionMonitor; onExpire: ReturnType<typeof vi.fn>; crashed: boolean }[] = [];
  function open(leader: boolean) {
    const onExpire = vi.fn();
    const tab = { monitor: undefined as unknown as SessionMonitor, onExpire, crashed: false };
    tab.monitor = createSessionMonitor({
      initial: { timing: server.timing(), sentAt: Date.now() },
      sendHeartbeat: (idleForMs, hold) => server.heartbeat(idleForMs, hold),
      broadcast: (message: TabMessage) => {
        if (tab.crashed) return;
        for (const other of tabs) if (other !== tab && !other.crashed) other.monitor.receive(message);
      },
      isLeader: () => leader,
      onExpire,
    });
    tabs.push(tab);
    tab.monitor.start();
    return tab;
  }
  return { open };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-04T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('a session hold', () => {
  it('keeps the session for 3x the idle timeout with no warning, with heartbeats that say so', async () => {
    const server = fakeServer();
    const tab = browser(server).open(true);
    const release = tab.monitor.hold('import');

    for (let elapsed = 0; elapsed < 3 * idleTimeoutMs; elapsed += 1_000) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(tab.monitor.getSnapshot().phase).toBe('active');
    }
    expect(tab.monitor.getSnapshot().holdReason).toBe('import');
    expect(tab.onExpire).not.toHaveBeenCalled();
    const holds = server.sent.filter((beat) => beat.hold === 'import');
    // One at once, then one per interval; each tells the server how long there was no input.
    expect(holds.length).toBe(3 * (idleTimeoutMs / heartbeatIntervalMs) + 1);
    expect(holds.at(-1)?.idleForMs).toBe(3 * idleTimeoutMs);
    release();
  });

  it('starts the idle clock when the last hold ends: the warning opens idle − warning later', async () => {
    const server = fakeServer();
    const tab = browser(server).open(true);
    const release = tab.monitor.hold('import');
    await vi.advanceTimersByTimeAsync(2 * idleTimeoutMs + 3_000);

    release();
    expect(tab.monitor.getSnapshot().holdReason).toBeNull();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs - 1);
    expect(tab.monitor.getSnapshot().phase).toBe('active');
    await vi.advanceTimersByTimeAsync(1);
    expect(tab.monitor.getSnapshot().phase).toBe('warning');
    expect(server.sent.at(-1)).toEqual({ idleForMs: 0 });
  });

  it('does not pass the absolute limit: its notice shows on time and the session ends there', async () => {
    const absoluteMs = 10 * 60_000;
    const server = fakeServer({ absoluteMs });
    const tab = browser(server).open(true);
    tab.monitor.hold('import');

    await vi.advanceTimersByTimeAsync(absoluteMs - 5 * 60_000);
    expect(tab.monitor.getSnapshot()).toMatchObject({ absoluteNotice: true, holdReason: 'import', phase: 'active' });
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(tab.onExpire).toHaveBeenCalledWith('absolute');
  });

  it('holds every tab: a tab that does not hold does not warn either, and says why', async () => {
    const server = fakeServer();
    const tabs = browser(server);
    const leader = tabs.open(true);
    const holder = tabs.open(false);
    holder.monitor.hold('import');

    await vi.advanceTimersByTimeAsync(3 * idleTimeoutMs);
    for (const tab of [leader, holder]) {
      expect(tab.monitor.getSnapshot()).toMatchObject({ phase: 'active', holdReason: 'import' });
      expect(tab.onExpire).not.toHaveBeenCalled();
    }
  });

  it('ends with a tab that crashes: the others stop counting it and warn on time', async () => {
    const server = fakeServer();
    const tabs = browser(server);
    const other = tabs.open(true);
    const holder = tabs.open(false);
    holder.monitor.hold('import');
    await vi.advanceTimersByTimeAsync(2 * idleTimeoutMs);

    holder.crashed = true; // no more messages, no goodbye
    holder.monitor.stop = () => {};
    await vi.advanceTimersByTimeAsync(6_000); // the announcement's time to live
    expect(other.monitor.getSnapshot().holdReason).toBeNull();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs);
    expect(other.onExpire).toHaveBeenCalledWith('idle');
  });

  it('ends at once for the other tabs when its tab closes (pagehide)', async () => {
    const server = fakeServer();
    const tabs = browser(server);
    const other = tabs.open(true);
    const holder = tabs.open(false);
    holder.monitor.hold('import');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(other.monitor.getSnapshot().holdReason).toBe('import');

    holder.monitor.leave();
    expect(other.monitor.getSnapshot().holdReason).toBeNull();
  });

  it('gets the usual idle rule past MAX_HOLD: the warning opens, and Stay signed in holds again', async () => {
    const maxHoldMs = 5 * 60_000;
    const server = fakeServer({ maxHoldMs });
    const tab = browser(server).open(true);
    tab.monitor.hold('import');

    await vi.advanceTimersByTimeAsync(maxHoldMs + heartbeatIntervalMs);
    expect(tab.monitor.getSnapshot().holdReason).toBeNull();
    await vi.advanceTimersByTimeAsync(idleTimeoutMs - warningMs);
    expect(tab.monitor.getSnapshot().phase).toBe('warning');

    tab.monitor.staySignedIn();
    await vi.advanceTimersByTimeAsync(0);
    expect(tab.monitor.getSnapshot()).toMatchObject({ phase: 'active', holdReason: 'import' });
  });

  it('two holds in one tab: the session is held until both end', async () => {
    const tab = browser(fakeServer()).open(true);
    const first = tab.monitor.hold('import');
    const second = tab.monitor.hold('upload');
    first();
    expect(tab.monitor.getSnapshot().holdReason).toBe('upload');
    second();
    second();
    expect(tab.monitor.getSnapshot().holdReason).toBeNull();
  });
});

describe('hold announcements between tabs', () => {
  it('are renewed while the hold lasts and forgotten ttl after the last one', () => {
    const sent: unknown[] = [];
    const onChange = vi.fn();
    const holds = createSessionHolds({ tabId: 'a', broadcast: (m) => sent.push(m), onChange, now: Date.now });
    const release = holds.acquire('import');
    vi.advanceTimersByTime(6_000);
    expect(sent).toHaveLength(4); // at once, then every 2 s
    release();
    expect(sent.at(-1)).toEqual({ type: 'hold', tabId: 'a', reason: null });
    vi.advanceTimersByTime(6_000);
    expect(sent).toHaveLength(5);

    const listener = createSessionHolds({ tabId: 'b', broadcast: () => {}, onChange, now: Date.now });
    listener.receive({ type: 'hold', tabId: 'a', reason: 'import' });
    expect(listener.reason()).toBe('import');
    vi.advanceTimersByTime(5_999);
    expect(listener.reason()).toBe('import');
    vi.advanceTimersByTime(1);
    expect(listener.reason()).toBeNull();
  });
});
