import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listenForInput, type InputCounts } from './input-listener';

/** An EventTarget that counts its listeners, as the document would hold them. */
function countingTarget() {
  const target = new EventTarget();
  const listening = new Map<string, number>();
  const add = target.addEventListener.bind(target);
  const remove = target.removeEventListener.bind(target);
  target.addEventListener = (type, listener, options) => {
    listening.set(type, (listening.get(type) ?? 0) + 1);
    add(type, listener, options);
  };
  target.removeEventListener = (type, listener, options) => {
    listening.set(type, Math.max(0, (listening.get(type) ?? 0) - 1));
    remove(type, listener, options);
  };
  return { target, listening: (type: string) => listening.get(type) ?? 0 };
}

describe('listenForInput, heard (no event counts)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** Heard: a browser that does not count events (`eventCounts` has none of the types). */
  const setup = (restMs = () => 250) => {
    const { target, listening } = countingTarget();
    const onInput = vi.fn();
    const onInputDuringRest = vi.fn();
    const stop = listenForInput(target, {
      discrete: ['keydown', 'pointerdown'],
      continuous: ['pointermove', 'wheel'],
      onInput,
      onInputDuringRest,
      restMs,
      eventCounts: { get: () => undefined },
    });
    const fire = (type: string) => target.dispatchEvent(new Event(type));
    return { target, listening, onInput, onInputDuringRest, stop, fire };
  };

  it('reports the first move of a burst, none for the rest of the window, then the next move after it', () => {
    const { onInput, fire, listening } = setup();
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(16);
      fire('pointermove');
    }
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(listening('pointermove')).toBe(0);
    vi.advanceTimersByTime(250 - 160);
    expect(listening('pointermove')).toBe(1);
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(2);
  });

  it('rests only the type that fired: the others keep listening, and rest after their own first event', () => {
    const { onInput, fire, listening } = setup();
    fire('pointermove');
    expect(listening('pointermove')).toBe(0);
    expect(listening('wheel')).toBe(1);
    vi.advanceTimersByTime(100);
    fire('wheel');
    fire('wheel');
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(2);
    expect(listening('wheel')).toBe(0);
    vi.advanceTimersByTime(150); // the move's rest ends; the wheel's has 100 ms left
    expect(listening('pointermove')).toBe(1);
    expect(listening('wheel')).toBe(0);
    fire('wheel');
    expect(onInput).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(100);
    expect(listening('wheel')).toBe(1);
  });

  it('reports every key and press, also while moves rest', () => {
    const { onInput, fire } = setup();
    fire('pointermove');
    fire('keydown');
    fire('pointerdown');
    fire('keydown');
    expect(onInput).toHaveBeenCalledTimes(4);
  });

  it('reads the rest at each report: a shorter input window takes effect at the next move', () => {
    let rest = 1_000;
    const { onInput, fire } = setup(() => rest);
    fire('pointermove');
    vi.advanceTimersByTime(1_000);
    rest = 100;
    fire('pointermove');
    vi.advanceTimersByTime(100);
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(3);
  });

  it('a seeded sequence of moves, keys and stops never reports more than once per window for each kind of move, and never misses a move after a rest', () => {
    const seed = Number(process.env.INPUT_SEED ?? 20261205);
    let state = seed;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const restMs = 200;
    const { onInput, fire, stop, listening } = setup(() => restMs);
    let now = 0;
    const restingUntil = new Map<string, number>();
    let expected = 0;
    for (let step = 0; step < 500; step++) {
      const gap = Math.floor(random() * 120);
      vi.advanceTimersByTime(gap);
      now += gap;
      const kind = random();
      if (kind < 0.7) {
        const type = random() < 0.5 ? 'pointermove' : 'wheel';
        fire(type);
        if (now >= (restingUntil.get(type) ?? -Infinity)) {
          expected++;
          restingUntil.set(type, now + restMs);
        }
      } else {
        fire(kind < 0.85 ? 'keydown' : 'pointerdown');
        expected++;
      }
      expect(onInput, `seed ${seed}, step ${step}`).toHaveBeenCalledTimes(expected);
    }
    stop();
    vi.advanceTimersByTime(restMs);
    expect(listening('pointermove') + listening('wheel') + listening('keydown') + listening('pointerdown')).toBe(0);
    fire('pointermove');
    fire('keydown');
    expect(onInput).toHaveBeenCalledTimes(expected);
  });

  it('stop during a rest leaves no listener behind when the rests would have ended', () => {
    const { fire, stop, listening, onInput } = setup();
    fire('pointermove');
    vi.advanceTimersByTime(100);
    fire('wheel');
    stop();
    vi.advanceTimersByTime(1_000);
    expect(listening('pointermove') + listening('wheel')).toBe(0);
    fire('pointermove');
    fire('wheel');
    expect(onInput).toHaveBeenCalledTimes(2);
  });
});

describe('listenForInput, counted (the browser counts keys and presses)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const discrete = ['keydown', 'pointerdown'];
  const continuous = ['pointermove', 'wheel'];
  const all = [...discrete, ...continuous];

  /** As a browser does: every key and press is counted at dispatch, whoever listens. */
  const setup = (restMs = 250) => {
    const { target, listening } = countingTarget();
    const counts = new Map(discrete.map((type) => [type, 0]));
    const onInput = vi.fn();
    const onInputDuringRest = vi.fn();
    const stop = listenForInput(target, {
      discrete,
      continuous,
      onInput,
      onInputDuringRest,
      restMs: () => restMs,
      eventCounts: counts,
    });
    const fire = (type: string) => {
      if (counts.has(type)) counts.set(type, counts.get(type)! + 1);
      target.dispatchEvent(new Event(type));
    };
    const listeners = () => all.reduce((sum, type) => sum + listening(type), 0);
    return { target, listeners, onInput, onInputDuringRest, stop, fire };
  };

  it('hears the first event of any kind, then every listener rests; keys of the rest are reported at its end, and a quiet window brings the listeners back', () => {
    const { listeners, onInput, onInputDuringRest, fire } = setup();
    const restBeganAt = Date.now();
    fire('keydown');
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(listeners()).toBe(0);
    vi.advanceTimersByTime(100);
    fire('keydown');
    fire('pointermove');
    fire('pointerdown');
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(onInputDuringRest).not.toHaveBeenCalled();
    vi.advanceTimersByTime(150);
    // Dated just after the rest began: the earliest the keys can have come, never later.
    expect(onInputDuringRest.mock.calls).toEqual([[restBeganAt + 1]]);
    expect(listeners()).toBe(0);
    vi.advanceTimersByTime(249);
    expect(listeners()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(onInputDuringRest).toHaveBeenCalledTimes(1);
    expect(listeners()).toBe(all.length);
    fire('wheel');
    expect(onInput).toHaveBeenCalledTimes(2);
  });

  it('rests on while keys are counted: typing among moves costs one call a window and no listener churn', () => {
    const { target, listeners, onInput, onInputDuringRest, fire } = setup(250);
    const added = vi.spyOn(target, 'addEventListener');
    const removed = vi.spyOn(target, 'removeEventListener');
    const start = Date.now();
    fire('pointermove');
    removed.mockClear();
    // Four windows of typing among moves (a key every 100 ms, moves between).
    for (let k = 1; k <= 40; k++) {
      vi.advanceTimersByTime(25);
      fire(k % 4 === 0 ? 'keydown' : 'pointermove');
    }
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(added).not.toHaveBeenCalled();
    expect(removed).not.toHaveBeenCalled();
    expect(listeners()).toBe(0);
    // Each window's end reports its keys, dated just after it began.
    expect(onInputDuringRest.mock.calls).toEqual([[start + 1], [start + 251], [start + 501], [start + 751]]);
    // The typing stops (its last key came as the fourth window ended): a window for that key, a
    // window with none, and the listeners are back.
    vi.advanceTimersByTime(250);
    expect(onInputDuringRest).toHaveBeenLastCalledWith(start + 1_001);
    expect(listeners()).toBe(0);
    vi.advanceTimersByTime(250);
    expect(onInputDuringRest).toHaveBeenCalledTimes(5);
    expect(listeners()).toBe(all.length);
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(2);
  });

  it('reports nothing at the end of a rest with only moves, or none at all', () => {
    const { onInput, onInputDuringRest, fire } = setup();
    fire('pointermove');
    vi.advanceTimersByTime(100);
    fire('pointermove');
    fire('wheel');
    vi.advanceTimersByTime(150);
    fire('pointermove');
    vi.advanceTimersByTime(250);
    expect(onInput).toHaveBeenCalledTimes(2);
    expect(onInputDuringRest).not.toHaveBeenCalled();
  });

  it('a seeded sequence of input reports every key and press, at most one window early and never late, with at most two calls a window, resting on while keys come', () => {
    const seed = Number(process.env.INPUT_SEED ?? 20261206);
    let state = seed;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const restMs = 200;
    const { onInput, onInputDuringRest, fire, stop, listeners } = setup(restMs);
    const start = Date.now();
    /** The model: when the current rest began (undefined while listening), and its keys. */
    let restBeganAt: number | undefined;
    let keysInRest = 0;
    let heard = 0;
    const heardAt: number[] = [];
    const reported: number[] = [];
    const keys: number[] = [];
    const check = (step: number) => {
      const at = `seed ${seed}, step ${step}`;
      expect(onInput, at).toHaveBeenCalledTimes(heard);
      expect(
        onInputDuringRest.mock.calls.map(([time]) => time),
        at,
      ).toEqual(reported);
      expect(listeners(), at).toBe(restBeganAt === undefined ? all.length : 0);
    };
    for (let step = 0; step < 600; step++) {
      const gap = Math.floor(random() * 150);
      for (let left = gap; left > 0;) {
        // The rest ends inside this gap: the model's rest ends as the listener's does.
        const endsIn = restBeganAt === undefined ? Infinity : restBeganAt + restMs - Date.now();
        const advance = Math.min(left, endsIn);
        vi.advanceTimersByTime(advance);
        left -= advance;
        if (restBeganAt !== undefined && Date.now() >= restBeganAt + restMs) {
          // Keys in the rest: reported, and the listeners rest on for another window.
          if (keysInRest > 0) reported.push(restBeganAt + 1);
          restBeganAt = keysInRest > 0 ? Date.now() : undefined;
          keysInRest = 0;
        }
      }
      const kind = random();
      const type = kind < 0.5 ? 'pointermove' : kind < 0.6 ? 'wheel' : kind < 0.9 ? 'keydown' : 'pointerdown';
      if (discrete.includes(type)) keys.push(Date.now());
      fire(type);
      if (restBeganAt === undefined) {
        heard++;
        heardAt.push(Date.now());
        restBeganAt = Date.now();
      } else if (discrete.includes(type)) {
        keysInRest++;
      }
      // What the monitor knows lags this input (unheard if it came in a rest) by at most two windows.
      const known = Math.max(...heardAt, ...onInputDuringRest.mock.calls.map(([time]) => time as number));
      expect(Date.now() - known, `seed ${seed}, step ${step}: the monitor's lag`).toBeLessThanOrEqual(2 * restMs);
      check(step);
    }
    // Quiet until the rests are over: a rest with keys is reported and followed by one without.
    vi.advanceTimersByTime(2 * restMs);
    if (restBeganAt !== undefined && keysInRest > 0) reported.push(restBeganAt + 1);
    restBeganAt = undefined;
    check(600);
    // Every key and press has a report dated at most one window before it and never after it
    // (but for the clock's millisecond: a key in the rest's first millisecond is dated at its end).
    const dates = [...heardAt, ...reported];
    for (const key of keys) {
      expect(
        dates.some((at) => at > key - restMs && at <= key + 1),
        `seed ${seed}: the key at ${key - start} ms`,
      ).toBe(true);
    }
    // At most two calls a window: one heard event and one rest's end.
    expect(heard + reported.length).toBeLessThanOrEqual(2 * Math.ceil((Date.now() - start) / restMs) + 2);
    stop();
    expect(listeners()).toBe(0);
  });

  it('stop during a rest leaves no listener and reports nothing when the rest would have ended', () => {
    const { listeners, onInputDuringRest, fire, stop } = setup();
    fire('pointermove');
    fire('keydown');
    stop();
    vi.advanceTimersByTime(1_000);
    expect(listeners()).toBe(0);
    expect(onInputDuringRest).not.toHaveBeenCalled();
  });

  it('stop during a rest that followed one with keys leaves no timer: nothing is reported later', () => {
    const { listeners, onInputDuringRest, fire, stop } = setup(250);
    fire('pointermove');
    fire('keydown');
    vi.advanceTimersByTime(250);
    expect(onInputDuringRest).toHaveBeenCalledTimes(1);
    fire('keydown');
    stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000);
    expect(onInputDuringRest).toHaveBeenCalledTimes(1);
    expect(listeners()).toBe(0);
  });

  it('a report that throws: the next rest has begun, and a quiet window brings the listeners back', () => {
    const { listeners, onInput, onInputDuringRest, fire } = setup(250);
    onInputDuringRest.mockImplementationOnce(() => {
      throw new Error('monitor failed');
    });
    fire('pointermove');
    fire('keydown');
    expect(() => vi.advanceTimersByTime(250)).toThrow('monitor failed');
    expect(listeners()).toBe(0);
    vi.advanceTimersByTime(250);
    expect(listeners()).toBe(all.length);
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(2);
  });

  it.each([
    { what: 'cannot be read', next: () => Number.NaN },
    { what: 'go down', next: () => 0 },
    {
      what: 'throw',
      next: () => {
        throw new Error('gone');
      },
    },
  ])('counts that $what after the first event report no activity, and the listeners come back', ({ next }) => {
    const { target, listening } = countingTarget();
    let read = () => 5;
    const onInput = vi.fn();
    const onInputDuringRest = vi.fn();
    listenForInput(target, {
      discrete,
      continuous,
      onInput,
      onInputDuringRest,
      restMs: () => 250,
      eventCounts: { get: () => read() },
    });
    target.dispatchEvent(new Event('pointermove'));
    read = next;
    vi.advanceTimersByTime(250);
    expect(onInputDuringRest).not.toHaveBeenCalled();
    expect(all.every((type) => listening(type) === 1)).toBe(true);
    target.dispatchEvent(new Event('keydown'));
    expect(onInput).toHaveBeenCalledTimes(2);
  });

  it.each([
    { where: 'the browser does not count all the discrete types', counts: new Map([['keydown', 0]]) },
    { where: 'the counts are not numbers', counts: { get: () => Number.NaN } },
    // Playwright's page clock replaces `performance`, leaving `eventCounts` a function.
    { where: 'a page clock left `eventCounts` a stub', counts: (() => {}) as unknown as InputCounts },
  ])('hears every key where $where', ({ counts }) => {
    const { target } = countingTarget();
    const onInput = vi.fn();
    listenForInput(target, {
      discrete,
      continuous,
      onInput,
      onInputDuringRest: vi.fn(),
      restMs: () => 250,
      eventCounts: counts,
    });
    target.dispatchEvent(new Event('pointermove'));
    target.dispatchEvent(new Event('keydown'));
    target.dispatchEvent(new Event('keydown'));
    expect(onInput).toHaveBeenCalledTimes(3);
  });
});
