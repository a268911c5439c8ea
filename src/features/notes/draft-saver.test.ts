import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DraftRequest } from '../../../shared/contract';
import { createDraftSaver, draftRetryDelayMs, type DraftSendOutcome, type DraftStatus } from './draft-saver';

const draft = (text: string): DraftRequest => ({ noteId: null, baseRevision: null, title: '', text });

/** A saver over a fake server that answers each save with the next of `outcomes` (then 'saved'). */
function setup(outcomes: DraftSendOutcome[] = []) {
  const sent: Array<{ text: string; keepalive: boolean }> = [];
  const statuses: DraftStatus[] = [];
  const saver = createDraftSaver({
    send: async (body, { keepalive }) => {
      sent.push({ text: body.text, keepalive });
      return outcomes.shift() ?? 'saved';
    },
    onStatus: (status) => statuses.push(status),
  });
  return { saver, sent, statuses };
}

describe('the draft saver', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves about 1 s after the last change, once, with the newest text', async () => {
    const { saver, sent, statuses } = setup();
    saver.change(draft('a'));
    await vi.advanceTimersByTimeAsync(900);
    saver.change(draft('ab'));
    await vi.advanceTimersByTimeAsync(900);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toEqual([{ text: 'ab', keepalive: false }]);
    expect(statuses).toEqual(['pending', 'saving', 'saved']);
    expect(saver.hasUnsaved()).toBe(false);
  });

  it('saves at once on flush (the warning opened), not a second later', async () => {
    const { saver, sent } = setup();
    saver.change(draft('typed just before the warning'));
    await saver.flush();
    expect(sent).toEqual([{ text: 'typed just before the warning', keepalive: false }]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(1);
  });

  it('retries a failed save with backoff and says so, until it is saved', async () => {
    const { saver, sent, statuses } = setup(['retry', 'retry']);
    saver.change(draft('x'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(saver.getStatus()).toBe('retrying');
    await vi.advanceTimersByTimeAsync(draftRetryDelayMs(0));
    expect(sent).toHaveLength(2);
    expect(saver.getStatus()).toBe('retrying');
    await vi.advanceTimersByTimeAsync(draftRetryDelayMs(1));
    expect(sent).toHaveLength(3);
    expect(statuses).toEqual(['pending', 'saving', 'retrying', 'saved']);
  });

  it('sends the newer text when the user typed while a save was on its way', async () => {
    let answer: (outcome: DraftSendOutcome) => void = () => {};
    const sent: string[] = [];
    const saver = createDraftSaver({
      send: (body) => {
        sent.push(body.text);
        return new Promise((resolve) => (answer = resolve));
      },
      onStatus: () => {},
    });
    saver.change(draft('one'));
    void saver.flush();
    saver.change(draft('one two'));
    answer('saved');
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['one', 'one two']);
  });

  it('sends what is unsaved with keepalive as the session ends, then nothing ever again', async () => {
    const { saver, sent } = setup(['retry']);
    saver.change(draft('last words'));
    saver.flushOnExit();
    expect(sent).toEqual([{ text: 'last words', keepalive: true }]);
    saver.change(draft('after the end'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
  });

  it('sends nothing as the session ends when everything is saved, and nothing after clear', async () => {
    const { saver, sent } = setup();
    saver.change(draft('saved as a note'));
    saver.clear();
    saver.flushOnExit();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent).toEqual([]);
  });

  it('stops on a refusal (the session ended, a limit) and reports it', async () => {
    const { saver, sent } = setup(['refused']);
    saver.change(draft('x'));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(1);
    expect(saver.getStatus()).toBe('refused');
  });
});
