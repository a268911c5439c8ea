import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listenForInput } from './input-listener';

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

describe('listenForInput', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (restMs = () => 250) => {
    const { target, listening } = countingTarget();
    const onInput = vi.fn();
    const stop = listenForInput(target, {
      discrete: ['keydown', 'pointerdown'],
      continuous: ['pointermove', 'wheel'],
      onInput,
      restMs,
    });
    const fire = (type: string) => target.dispatchEvent(new Event(type));
    return { target, listening, onInput, stop, fire };
  };

  it('reports the first move of a burst, none for the rest of the window, then the next move after it', () => {
    const { onInput, fire, listening } = setup();
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(16);
      fire('pointermove');
      fire('wheel');
    }
    expect(onInput).toHaveBeenCalledTimes(1);
    expect(listening('pointermove')).toBe(0);
    expect(listening('wheel')).toBe(0);
    vi.advanceTimersByTime(250 - 160);
    expect(listening('pointermove')).toBe(1);
    fire('wheel');
    expect(onInput).toHaveBeenCalledTimes(2);
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

  it('a seeded sequence of moves, keys and stops never reports more than once per window for moves, and never misses a move after a rest', () => {
    const seed = Number(process.env.INPUT_SEED ?? 20261205);
    let state = seed;
    const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const restMs = 200;
    const { onInput, fire, stop, listening } = setup(() => restMs);
    let now = 0;
    let restingUntil = -Infinity;
    let expected = 0;
    for (let step = 0; step < 500; step++) {
      const gap = Math.floor(random() * 120);
      vi.advanceTimersByTime(gap);
      now += gap;
      const kind = random();
      if (kind < 0.7) {
        fire(random() < 0.5 ? 'pointermove' : 'wheel');
        if (now >= restingUntil) {
          expected++;
          restingUntil = now + restMs;
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

  it('stop during a rest leaves no listener behind when the rest would have ended', () => {
    const { fire, stop, listening, onInput } = setup();
    fire('pointermove');
    stop();
    vi.advanceTimersByTime(1_000);
    expect(listening('pointermove')).toBe(0);
    fire('pointermove');
    expect(onInput).toHaveBeenCalledTimes(1);
  });
});
