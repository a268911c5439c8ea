import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActivityBroadcaster } from './activity-broadcaster';

let t0: number;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A broadcaster whose latest activity is whenever `report` was last called; `sent` holds [when, at]. */
function setup(intervalMs?: number) {
  let latest = -Infinity;
  const sent: [number, number][] = [];
  const broadcaster = createActivityBroadcaster({
    latestActivityAt: () => latest,
    broadcast: (at) => sent.push([Date.now() - t0, at - t0]),
    now: () => Date.now(),
    intervalMs: intervalMs === undefined ? undefined : () => intervalMs,
  });
  const activity = () => {
    latest = Date.now();
    broadcaster.report();
  };
  return { broadcaster, sent, activity, setLatest: (at: number) => (latest = at) };
}

describe('the activity broadcaster', () => {
  it('tells at once, then at most once a second, always including the last activity', async () => {
    const { sent, activity } = setup();
    for (let i = 0; i < 25; i++) {
      activity();
      await vi.advanceTimersByTimeAsync(100);
    }
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([
      [0, 0],
      [1_000, 900],
      [2_000, 1_900],
      [3_000, 2_400], // the trailing edge: the last activity, at 2.4 s
    ]);
  });

  it('sends the latest activity known when the message leaves, also another tab’s', async () => {
    const { sent, activity, setLatest } = setup();
    activity();
    activity();
    setLatest(t0 + 700);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sent).toEqual([
      [0, 0],
      [1_000, 700],
    ]);
  });

  it('takes its interval as an option', async () => {
    const { sent, activity } = setup(250);
    activity();
    await vi.advanceTimersByTimeAsync(100);
    activity();
    await vi.advanceTimersByTimeAsync(150);
    expect(sent).toEqual([
      [0, 0],
      [250, 100],
    ]);
  });

  it('drops a waiting message on stop, and works again afterwards', async () => {
    const { broadcaster, sent, activity } = setup();
    activity();
    activity();
    broadcaster.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toHaveLength(1);
    activity();
    expect(sent).toEqual([
      [0, 0],
      [5_000, 5_000],
    ]);
  });
});
