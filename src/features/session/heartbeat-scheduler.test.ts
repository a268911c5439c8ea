import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionTiming } from '../../../shared/contract';
import {
  createHeartbeatScheduler,
  heartbeatDueAt,
  maxRetryDelayMs,
  standsBack,
  withAnswered,
  withRival,
  type HeartbeatOutcome,
  type HeartbeatSchedulerOptions,
} from './heartbeat-scheduler';

const interval = 10_000;
const timing: SessionTiming = {
  idleTimeoutMs: 60_000,
  warningMs: 30_000,
  heartbeatIntervalMs: interval,
  idleExpiresInMs: 60_000,
  absoluteExpiresInMs: 8 * 3_600_000,
};
const answer = (): HeartbeatOutcome => ({ ok: true, sample: { timing, sentAt: Date.now() } });

/** A scheduler started at the current fake time; `sent` holds each request's idleForMs and when it left. */
function setup(overrides: Partial<HeartbeatSchedulerOptions> = {}) {
  const sent: { idleForMs: number; at: number }[] = [];
  const options = {
    startAt: Date.now(),
    intervalMs: () => interval,
    isLeader: () => true,
    onAnswer: vi.fn(),
    beforeRetry: vi.fn(),
    now: () => Date.now(),
    ...overrides,
    send(idleForMs: number) {
      sent.push({ idleForMs, at: Date.now() });
      return overrides.send ? overrides.send(idleForMs) : Promise.resolve(answer());
    },
  };
  const scheduler = createHeartbeatScheduler(options);
  scheduler.start();
  /** Activity at the current fake time, then whatever the scheduler decides. */
  const activity = () => {
    scheduler.noteActivity(Date.now());
    scheduler.schedule();
  };
  return { scheduler, sent, options, activity, sentAtOffsets: (t0: number) => sent.map(({ at }) => at - t0) };
}

/** A sender whose first request waits for `release()`; the others are answered at once. */
function firstAnswerHeld() {
  let release = () => {};
  const send = vi
    .fn<(idleForMs: number) => Promise<HeartbeatOutcome>>()
    .mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(answer()))))
    .mockImplementation(async () => answer());
  return { send, release: () => release() };
}

let t0: number;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the ledger (pure)', () => {
  const ledger = { lastActivityAt: 5_000, reportedActivityAt: 0, lastHeartbeatAt: 0, pendingSince: 5_000 };

  it('is due one interval after the last heartbeat in the leader', () => {
    expect(heartbeatDueAt(ledger, true, interval, 7_000)).toBe(10_000);
  });

  it('is due at the later of two intervals after the last heartbeat and one after the activity elsewhere', () => {
    expect(heartbeatDueAt(ledger, false, interval, 7_000)).toBe(20_000);
    expect(heartbeatDueAt({ ...ledger, pendingSince: 15_000 }, false, interval, 16_000)).toBe(25_000);
    expect(heartbeatDueAt({ ...ledger, pendingSince: undefined }, false, interval, 16_000)).toBe(26_000);
  });

  it('forgets the pending activity once an answer covers it, and never moves back', () => {
    expect(withAnswered(ledger, 6_000, 5_000)).toEqual({
      lastActivityAt: 5_000,
      reportedActivityAt: 5_000,
      lastHeartbeatAt: 6_000,
    });
    expect(withAnswered(ledger, 6_000, 4_000)).toMatchObject({ reportedActivityAt: 4_000, pendingSince: 5_000 });
    expect(withAnswered({ ...ledger, lastHeartbeatAt: 9_000 }, 6_000, 4_000).lastHeartbeatAt).toBe(9_000);
  });
});

describe('two leaders (pure)', () => {
  const ledger = { lastActivityAt: 5_000, reportedActivityAt: 5_000, lastHeartbeatAt: 6_000 };
  const own = { sentAt: 6_000, activityAt: 5_000, rank: 0.5 };
  const standsBackFrom = (rival: { sentAt: number; activityAt: number; rank: number }) =>
    standsBack(withRival({ ...ledger, ownHeartbeat: own }, rival));

  it('stand back in the one whose last heartbeat reported older activity', () => {
    expect(standsBack({ ...ledger, ownHeartbeat: own })).toBe(false);
    expect(standsBackFrom({ sentAt: 5_900, activityAt: 5_100, rank: 0.1 })).toBe(true);
    expect(standsBackFrom({ sentAt: 6_100, activityAt: 4_900, rank: 0.9 })).toBe(false);
  });

  it('decide the same activity by the later heartbeat, and the same millisecond by rank', () => {
    expect(standsBackFrom({ sentAt: 6_001, activityAt: 5_000, rank: 0.1 })).toBe(true);
    expect(standsBackFrom({ sentAt: 6_000, activityAt: 5_000, rank: 0.9 })).toBe(true);
    expect(standsBackFrom({ sentAt: 6_000, activityAt: 5_000, rank: 0.1 })).toBe(false);
  });

  it('keep the rival heartbeat that outranks, and stand back in a tab that never sent one', () => {
    const rival = { sentAt: 7_000, activityAt: 6_000, rank: 0.1 };
    expect(withRival(withRival(ledger, rival), { ...rival, activityAt: 5_500 }).rivalHeartbeat).toEqual(rival);
    expect(standsBack(withRival(ledger, rival))).toBe(true);
  });
});

describe('the throttle (leading and trailing edge)', () => {
  it('sends at once when an interval passed, then the last activity at the end of the interval', async () => {
    const { sent, activity, sentAtOffsets } = setup();
    await vi.advanceTimersByTimeAsync(interval);
    activity(); // leading edge
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(500);
      activity();
    }
    await vi.advanceTimersByTimeAsync(interval);
    expect(sentAtOffsets(t0)).toEqual([10_000, 20_000]);
    expect(sent.map(({ idleForMs }) => idleForMs)).toEqual([0, 5_000]); // it says how long ago the activity was
  });

  it('sends nothing without new activity, and nothing for activity it already knew', async () => {
    const { scheduler, sent } = setup();
    scheduler.schedule();
    expect(scheduler.noteActivity(t0)).toBe(false);
    await vi.advanceTimersByTimeAsync(3 * interval);
    expect(sent).toEqual([]);
  });

  it('dates activity from the latest known, whichever tab saw it', () => {
    const { scheduler } = setup();
    expect(scheduler.noteActivity(t0 + 500)).toBe(true);
    expect(scheduler.noteActivity(t0 + 400)).toBe(false);
    expect(scheduler.lastActivityAt()).toBe(t0 + 500);
  });
});

describe('a tab that does not lead', () => {
  it('steps in two intervals after the last heartbeat, and never before the activity waited one', async () => {
    const { activity, sentAtOffsets } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(15_000);
    activity(); // two intervals since the start: 20 s; one since the activity: 25 s
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sentAtOffsets(t0)).toEqual([25_000]);
  });

  it('sends at two intervals when the activity is older than one', async () => {
    const { activity, sentAtOffsets } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(2_000);
    activity();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(sentAtOffsets(t0)).toEqual([20_000]);
  });

  it('looks again each second, and sends on the leader’s schedule once it leads', async () => {
    let leader = false;
    const isLeader = vi.fn(() => leader);
    const { activity, sentAtOffsets } = setup({ isLeader });
    await vi.advanceTimersByTimeAsync(12_000);
    activity();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(isLeader.mock.calls.length).toBeGreaterThanOrEqual(4); // once per second at least
    leader = true;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sentAtOffsets(t0)).toEqual([16_000]);
  });

  it('leaves it to the leader while the leader’s answers reach it', async () => {
    const { scheduler, sent, activity } = setup({ isLeader: () => false });
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(interval / 2);
      activity();
      if (i % 2 === 1) scheduler.heardElsewhere({ timing, sentAt: Date.now() }, Date.now(), 1);
    }
    await vi.advanceTimersByTimeAsync(interval / 2);
    expect(sent).toEqual([]);
  });
});

describe('a tab that leads while another does too', () => {
  /** A heartbeat of another tab, answered now, that reported activity `agoMs` ago. */
  const heardNow = (scheduler: ReturnType<typeof setup>['scheduler'], agoMs: number, leaderRank?: number) =>
    scheduler.heardElsewhere({ timing, sentAt: Date.now() }, Date.now() - agoMs, leaderRank);

  it('stands back while the other’s heartbeats report newer activity, and steps in when they stop', async () => {
    const { scheduler, activity, sentAtOffsets } = setup({ rank: 0.5 });
    await vi.advanceTimersByTimeAsync(interval);
    activity(); // both leaders send at once: this one reported the activity at 10 s
    await vi.advanceTimersByTimeAsync(1);
    heardNow(scheduler, 0, 0.1); // the other's heartbeat reported activity at 10.001 s
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(interval / 2);
      activity();
      if (i % 2 === 1) heardNow(scheduler, 1_000, 0.1); // the other tab's stream goes on
    }
    expect(sentAtOffsets(t0)).toEqual([10_000]);
    // The other tab closed after its heartbeat at 40 s: a step-in two intervals later, then the leader's throttle.
    for (let i = 0; i < 8; i++) {
      await vi.advanceTimersByTimeAsync(interval / 2);
      activity();
    }
    expect(sentAtOffsets(t0)).toEqual([10_000, 60_001, 70_001, 80_001]);
  });

  it('leads on when a heartbeat from a tab that does not lead reports newer activity (Stay signed in there)', async () => {
    const { scheduler, activity, sentAtOffsets } = setup();
    await vi.advanceTimersByTimeAsync(interval);
    activity();
    await vi.advanceTimersByTimeAsync(interval / 2);
    heardNow(scheduler, 0);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(interval / 2);
      activity();
    }
    expect(sentAtOffsets(t0)).toEqual([10_000, 25_000, 35_000]); // one interval apart, not two
  });
});

describe('Stay signed in', () => {
  it('sends at once, whoever leads and whatever the throttle says', async () => {
    const { scheduler, sentAtOffsets } = setup({ isLeader: () => false });
    await vi.advanceTimersByTimeAsync(1_000);
    scheduler.sendNow();
    expect(sentAtOffsets(t0)).toEqual([1_000]);
  });

  it('waits for a heartbeat in flight, then gets its own request', async () => {
    const { send, release } = firstAnswerHeld();
    const { scheduler, activity, options } = setup({ send });
    await vi.advanceTimersByTimeAsync(interval);
    activity();
    scheduler.sendNow();
    expect(send).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(2);
    expect(options.onAnswer).toHaveBeenCalledTimes(1); // the first answer is superseded by the second
  });
  it('replaces a retry that waits', async () => {
    const send = vi
      .fn<(idleForMs: number) => Promise<HeartbeatOutcome>>()
      .mockResolvedValueOnce({ ok: false, kind: 'network' })
      .mockImplementation(() => new Promise(() => {})); // then no answer for a long time
    const { scheduler, options } = setup({ send });
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(500); // its retry waits until 1 s
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(send).toHaveBeenCalledTimes(2);
    expect(options.beforeRetry).not.toHaveBeenCalled();
  });
});

describe('failures', () => {
  it('retry with backoff 1 s, 2 s, 4 s ... at most 15 s', async () => {
    const { scheduler, sentAtOffsets, options } = setup({ send: async () => ({ ok: false, kind: 'network' }) });
    scheduler.noteActivity(t0 + 1);
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(70_000);
    const gaps = sentAtOffsets(t0).map((at, i, all) => (i === 0 ? at : at - all[i - 1]));
    expect(gaps).toEqual([0, 1_000, 2_000, 4_000, 8_000, maxRetryDelayMs, maxRetryDelayMs, maxRetryDelayMs]);
    expect(options.beforeRetry).toHaveBeenCalledWith(true); // each retry of Stay signed in says so
  });

  it('treats a sender that throws as a network failure, and is not stuck afterwards', async () => {
    const send = vi
      .fn<(idleForMs: number) => Promise<HeartbeatOutcome>>()
      .mockRejectedValueOnce(new Error('boom'))
      .mockImplementation(async () => answer());
    const { scheduler, options } = setup({ send });
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(options.onAnswer).toHaveBeenLastCalledWith({ ok: false, kind: 'network' }, expect.any(Number));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(send).toHaveBeenCalledTimes(2);
    expect(options.onAnswer).toHaveBeenLastCalledWith(expect.objectContaining({ ok: true }), expect.any(Number));
  });

  it('drop a retry once another tab reported all the activity this tab knows of', async () => {
    const send = vi.fn(async (): Promise<HeartbeatOutcome> => ({ ok: false, kind: 'network' }));
    const { scheduler, activity } = setup({ send });
    await vi.advanceTimersByTimeAsync(interval);
    activity();
    await vi.advanceTimersByTimeAsync(0);
    expect(scheduler.heardElsewhere({ timing, sentAt: Date.now() }, Date.now() - 1_000)).toBe(false);
    expect(scheduler.heardElsewhere({ timing, sentAt: Date.now() }, Date.now())).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('stop for good on 401, even with a Stay signed in waiting for the request', async () => {
    let release = () => {};
    const send = vi.fn(
      () =>
        new Promise<HeartbeatOutcome>((resolve) => (release = () => resolve({ ok: false, kind: 'unauthenticated' }))),
    );
    const { scheduler, activity, options } = setup({ send });
    await vi.advanceTimersByTimeAsync(interval);
    activity();
    scheduler.sendNow(); // waits for the request in flight
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(options.onAnswer).toHaveBeenCalledExactlyOnceWith({ ok: false, kind: 'unauthenticated' }, t0 + interval);
    activity();
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(send).toHaveBeenCalledTimes(1);
  });
});

describe('stop and start (React StrictMode does both once on mount)', () => {
  it('sends nothing while stopped, ignores an answer that lands then, and resumes on start', async () => {
    const { send, release } = firstAnswerHeld();
    const { scheduler, activity, options } = setup({ send });
    await vi.advanceTimersByTimeAsync(interval);
    activity();
    scheduler.stop();
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(options.onAnswer).not.toHaveBeenCalled();
    activity();
    scheduler.sendNow();
    await vi.advanceTimersByTimeAsync(3 * interval);
    expect(send).toHaveBeenCalledTimes(1);
    scheduler.start(); // the activity is still unreported: it goes out on start
    await vi.advanceTimersByTimeAsync(0);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
