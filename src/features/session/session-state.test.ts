import { describe, expect, it } from 'vitest';
import type { SessionTiming } from '../../../shared/contract';
import {
  absoluteNoticeLeadMs,
  activityNeedsCheckFrom,
  computeSnapshot,
  nextWakeDelay,
  sameSnapshot,
  sessionStateFrom,
  withAnswer,
  withSample,
} from './session-state';

const idleTimeoutMs = 60_000;
const warningMs = 30_000;
const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function timing(idleExpiresInMs = idleTimeoutMs, absoluteExpiresInMs = 8 * 3_600_000): SessionTiming {
  return { idleTimeoutMs, warningMs, heartbeatIntervalMs: 10_000, idleExpiresInMs, absoluteExpiresInMs };
}

/** A state whose idle deadline is t0 + 60 s and absolute deadline t0 + `absoluteMs`. */
const stateAt = (absoluteMs?: number) => sessionStateFrom({ timing: timing(idleTimeoutMs, absoluteMs), sentAt: t0 });

describe('deadlines from samples', () => {
  it('count the server durations from when the request was sent', () => {
    const state = sessionStateFrom({ timing: timing(59_000, 3_600_000), sentAt: t0 });
    expect(state).toMatchObject({ idleDeadline: t0 + 59_000, absoluteDeadline: t0 + 3_600_000, ended: false });
  });

  it('never move back: a late answer to an older request cannot undo a newer one', () => {
    const newer = withSample(stateAt(), { timing: timing(), sentAt: t0 + 20_000 });
    const late = withSample(newer, { timing: timing(), sentAt: t0 + 5_000 });
    expect(late.idleDeadline).toBe(t0 + 20_000 + idleTimeoutMs);
    expect(computeSnapshot(late, t0 + 45_000).phase).toBe('active'); // the late one alone would warn at 35 s
  });

  it('take the latest timing (a new heartbeat interval comes with it)', () => {
    const next = withSample(stateAt(), { timing: { ...timing(), heartbeatIntervalMs: 4_000 }, sentAt: t0 });
    expect(next.timing.heartbeatIntervalMs).toBe(4_000);
  });
});

describe('answers to this tab’s heartbeat', () => {
  const extendingAndReconnecting = { ...stateAt(), extending: true, reconnecting: true };

  it('an answer moves the deadline and ends Stay signed in and Reconnecting', () => {
    const next = withAnswer(extendingAndReconnecting, {
      ok: true,
      sample: { timing: timing(), sentAt: t0 + 40_000 },
    });
    expect(next).toMatchObject({ idleDeadline: t0 + 100_000, extending: false, reconnecting: false });
  });

  it('a network failure says Reconnecting; a refusal does not; neither moves the deadline', () => {
    const network = withAnswer(extendingAndReconnecting, { ok: false, kind: 'network' });
    const rejected = withAnswer(extendingAndReconnecting, { ok: false, kind: 'rejected' });
    expect(network).toMatchObject({ idleDeadline: t0 + idleTimeoutMs, extending: false, reconnecting: true });
    expect(rejected).toMatchObject({ idleDeadline: t0 + idleTimeoutMs, extending: false, reconnecting: false });
  });
});

describe('the snapshot at a moment', () => {
  it('is active, then warning at deadline - warning, then expired at the deadline', () => {
    const state = stateAt();
    expect(computeSnapshot(state, t0 + 29_999).phase).toBe('active');
    expect(computeSnapshot(state, t0 + 30_000)).toMatchObject({ phase: 'warning', secondsLeft: 30 });
    expect(computeSnapshot(state, t0 + 59_999)).toMatchObject({ phase: 'warning', secondsLeft: 1 });
    expect(computeSnapshot(state, t0 + 60_000)).toMatchObject({ phase: 'expired', bindingLimit: 'idle' });
  });

  it('counts whole seconds up, never below 0', () => {
    expect(computeSnapshot(stateAt(), t0 + 30_001).secondsLeft).toBe(30);
    expect(computeSnapshot(stateAt(), t0 + 90_000).secondsLeft).toBe(0);
  });

  it('keeps the warning closed while Stay signed in is on its way, but not past the deadline', () => {
    const state = { ...stateAt(), extending: true };
    expect(computeSnapshot(state, t0 + 45_000).phase).toBe('active');
    expect(computeSnapshot(state, t0 + 60_000).phase).toBe('expired');
  });

  it('never warns for the absolute limit, which no answer can extend, and shows its notice instead', () => {
    const state = stateAt(45_000);
    expect(computeSnapshot(state, t0)).toMatchObject({ bindingLimit: 'absolute', absoluteNotice: true });
    expect(computeSnapshot(state, t0 + 44_999).phase).toBe('active');
    expect(computeSnapshot(state, t0 + 45_000)).toMatchObject({ phase: 'expired', absoluteNotice: false });
  });

  it('shows the absolute notice from the warning time or 5 minutes before the limit, whichever is longer', () => {
    expect(absoluteNoticeLeadMs(warningMs)).toBe(5 * 60_000);
    expect(absoluteNoticeLeadMs(10 * 60_000)).toBe(10 * 60_000);
    const state = sessionStateFrom({ timing: timing(4_000_000, 3_600_000), sentAt: t0 });
    expect(computeSnapshot(state, t0 + 3_300_000 - 1).absoluteNotice).toBe(false);
    expect(computeSnapshot(state, t0 + 3_300_000).absoluteNotice).toBe(true);
  });

  it('is expired once ended, whatever the clock says', () => {
    expect(computeSnapshot({ ...stateAt(), ended: true }, t0).phase).toBe('expired');
  });

  it('compares equal field by field', () => {
    expect(sameSnapshot(computeSnapshot(stateAt(), t0), computeSnapshot(stateAt(), t0 + 1))).toBe(true);
    expect(sameSnapshot(computeSnapshot(stateAt(), t0), computeSnapshot(stateAt(), t0 + 1_000))).toBe(false);
  });
});

describe('the next wake', () => {
  it('is the warning while active, then every whole second of the countdown, then the deadline', () => {
    const state = stateAt();
    expect(nextWakeDelay(state, t0)).toBe(30_000);
    expect(nextWakeDelay(state, t0 + 30_000)).toBe(1_000);
    expect(nextWakeDelay(state, t0 + 30_400)).toBe(600);
    expect(nextWakeDelay(state, t0 + 59_500)).toBe(500);
  });

  it('ticks every second while the absolute notice shows', () => {
    expect(nextWakeDelay(stateAt(45_000), t0 + 200)).toBe(800);
  });

  it('is the absolute notice when that comes first', () => {
    // Notice at 55 min, warning at 56:10.
    const state = sessionStateFrom({ timing: timing(3_400_000, 3_600_000), sentAt: t0 });
    expect(nextWakeDelay(state, t0)).toBe(3_300_000);
  });

  it('is now when the deadline has passed, and never beyond what setTimeout can wait', () => {
    expect(nextWakeDelay(stateAt(45_000), t0 + 70_000)).toBe(0);
    const far = sessionStateFrom({ timing: timing(100 * 86_400_000, 200 * 86_400_000), sentAt: t0 });
    expect(nextWakeDelay(far, t0)).toBe(2 ** 31 - 1);
  });
});

describe('activity after a sleep', () => {
  it('needs a check first from the moment the warning (or the absolute limit) could be due', () => {
    expect(activityNeedsCheckFrom(stateAt())).toBe(t0 + 30_000);
    expect(activityNeedsCheckFrom(stateAt(20_000))).toBe(t0 + 20_000);
  });
});
