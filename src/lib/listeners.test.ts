import { describe, expect, it, vi } from 'vitest';
import { createListeners } from './listeners';

describe('createListeners', () => {
  it('calls every listener with the event, in the order they were added', () => {
    const listeners = createListeners<[string]>();
    const calls: string[] = [];
    listeners.add((event) => calls.push(`first ${event}`));
    listeners.add((event) => calls.push(`second ${event}`));

    listeners.notify('signed-out');

    expect(calls).toEqual(['first signed-out', 'second signed-out']);
  });

  it('stops calling a listener once removed, and keeps the others', () => {
    const listeners = createListeners();
    const removed = vi.fn();
    const kept = vi.fn();
    const remove = listeners.add(removed);
    listeners.add(kept);

    remove();
    listeners.notify();

    expect(removed).not.toHaveBeenCalled();
    expect(kept).toHaveBeenCalledTimes(1);
  });
});
