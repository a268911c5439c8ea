import { fireEvent, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { preloader, usePreloadOnFirstInteraction } from './chrome';

afterEach(() => vi.restoreAllMocks());

/** The window listeners a mount adds, by type. */
function watchWindowListeners() {
  const added = vi.spyOn(window, 'addEventListener');
  return () => added.mock.calls.map(([type]) => type);
}

describe('usePreloadOnFirstInteraction', () => {
  it('preloads once, at the first key or press, and then listens for nothing', () => {
    const load = vi.fn(() => Promise.resolve());
    const preload = preloader(load);
    const removed = vi.spyOn(window, 'removeEventListener');
    renderHook(() => usePreloadOnFirstInteraction(preload));

    fireEvent.keyDown(document.body, { key: 'a' });
    fireEvent.pointerDown(document.body);
    fireEvent.keyDown(document.body, { key: 'b' });

    expect(load).toHaveBeenCalledTimes(1);
    expect(removed.mock.calls.map(([type]) => type).sort()).toEqual(['keydown', 'pointerdown', 'touchstart']);
  });

  it('adds no listener for a preloader that has run: a signed-in page, whose chunk is loaded', async () => {
    const load = vi.fn(() => Promise.resolve('chunk'));
    const preload = preloader(load);
    await expect(preload()).resolves.toBe('chunk');

    const listeners = watchWindowListeners();
    renderHook(() => usePreloadOnFirstInteraction(preload));
    fireEvent.keyDown(document.body, { key: 'a' });

    expect(listeners()).toEqual([]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('adds none on a second mount after the first one preloaded (sign out, sign-in page again)', () => {
    const load = vi.fn(() => Promise.resolve());
    const preload = preloader(load);
    renderHook(() => usePreloadOnFirstInteraction(preload)).unmount();
    const first = renderHook(() => usePreloadOnFirstInteraction(preload));
    fireEvent.pointerDown(document.body);
    first.unmount();

    const listeners = watchWindowListeners();
    renderHook(() => usePreloadOnFirstInteraction(preload));
    expect(listeners()).toEqual([]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('a failed preload is left to the real load: nothing thrown, nothing retried by input', async () => {
    const load = vi.fn(() => Promise.reject(new Error('offline')));
    const preload = preloader(load);
    renderHook(() => usePreloadOnFirstInteraction(preload));
    fireEvent.keyDown(document.body, { key: 'a' });
    fireEvent.keyDown(document.body, { key: 'b' });
    await Promise.resolve();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('listens again at each mount for a plain function (not a preloader)', () => {
    const load = vi.fn(() => Promise.resolve());
    renderHook(() => usePreloadOnFirstInteraction(load)).unmount();
    fireEvent.keyDown(document.body, { key: 'a' });
    expect(load).not.toHaveBeenCalled();
    renderHook(() => usePreloadOnFirstInteraction(load));
    fireEvent.keyDown(document.body, { key: 'a' });
    expect(load).toHaveBeenCalledTimes(1);
  });
});
