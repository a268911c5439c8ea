import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DraftRequest } from '../../../shared/contract';
import { createDraftSaver, draftRetryDelayMs, type DraftSendResult, type DraftStatus } from './draft-saver';

const draft = (text: string): DraftRequest => ({ noteId: null, baseRevision: null, title: '', text });
type Outcome = DraftSendResult['outcome'];
const answer = (outcome: Outcome, updatedAt = 1): DraftSendResult =>
  outcome === 'saved' ? { outcome, updatedAt } : { outcome };

/** A saver over a fake server that answers each save with the next of `outcomes` (then 'saved'). */
function setup(outcomes: Outcome[] = [], savedAt?: number) {
  const sent: string[] = [];
  const statuses: DraftStatus[] = [];
  const ended: string[] = [];
  let saves = 0;
  const saver = createDraftSaver({
    send: async (body) => {
      sent.push(body.text);
      return answer(outcomes.shift() ?? 'saved', 100 + ++saves);
    },
    onStatus: (status) => statuses.push(status),
    onEnded: (unsent) => ended.push(unsent.text),
    savedAt,
  });
  return { saver, sent, statuses, ended };
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
    expect(sent).toEqual(['ab']);
    expect(statuses).toEqual(['pending', 'saving', 'saved']);
    expect(saver.hasUnsaved()).toBe(false);
  });

  it('saves at once on flush (the warning opened, the page is hidden, back online), not a second later', async () => {
    const { saver, sent } = setup();
    saver.change(draft('typed just before the warning'));
    await saver.flush();
    expect(sent).toEqual(['typed just before the warning']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent).toHaveLength(1);
  });

  it('retries a failed save with backoff and says so, until it is saved; flush retries at once', async () => {
    const { saver, sent, statuses } = setup(['retry', 'retry', 'retry']);
    saver.change(draft('x'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(saver.getStatus()).toBe('retrying');
    await vi.advanceTimersByTimeAsync(draftRetryDelayMs(0));
    expect(sent).toHaveLength(2);
    expect(saver.getStatus()).toBe('retrying');
    // Back online: no waiting for the backoff.
    await saver.flush();
    expect(sent).toHaveLength(3);
    await saver.flush();
    expect(sent).toHaveLength(4);
    expect(statuses).toEqual(['pending', 'saving', 'retrying', 'saved']);
  });

  it('sends the newer text when the user typed while a save was on its way', async () => {
    let answerNow: (result: DraftSendResult) => void = () => {};
    const sent: string[] = [];
    const saver = createDraftSaver({
      send: (body) => {
        sent.push(body.text);
        return new Promise((resolve) => (answerNow = resolve));
      },
      onStatus: () => {},
      onEnded: () => {},
    });
    saver.change(draft('one'));
    void saver.flush();
    saver.change(draft('one two'));
    answerNow({ outcome: 'saved', updatedAt: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(['one', 'one two']);
  });

  it('remembers the updatedAt of the last draft it saved or started from (a discard names it)', async () => {
    const { saver } = setup([], 42);
    expect(saver.savedAt()).toBe(42);
    saver.change(draft('x'));
    await saver.flush();
    expect(saver.savedAt()).toBe(101);
    saver.clear();
    expect(saver.savedAt()).toBeUndefined();
  });

  it('hands the unsaved text on once when its session has ended (401, session_mismatch), then sends nothing', async () => {
    const { saver, sent, ended, statuses } = setup(['ended']);
    saver.change(draft('typed as the session was ended elsewhere'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ended).toEqual(['typed as the session was ended elsewhere']);
    expect(statuses.at(-1)).toBe('ended');
    // Typed after that, before the tab signs out: never sent, handed on as the newest text.
    saver.change(draft('and after the end'));
    saver.end();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
    expect(ended).toEqual(['typed as the session was ended elsewhere', 'and after the end']);
  });

  it('at the end (sign-out, page left) hands on what is unsaved, with the save still on its way to go first', async () => {
    let answerNow: (result: DraftSendResult) => void = () => {};
    const handedOn: Array<{ text: string; after: Promise<unknown> }> = [];
    const saver = createDraftSaver({
      send: () => new Promise((resolve) => (answerNow = resolve)),
      onStatus: () => {},
      onEnded: (unsent, after) => handedOn.push({ text: unsent.text, after }),
    });
    saver.change(draft('one'));
    void saver.flush();
    saver.change(draft('one two'));
    saver.end();
    expect(handedOn.map(({ text }) => text)).toEqual(['one two']);
    let afterDone = false;
    void handedOn[0].after.then(() => (afterDone = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(afterDone).toBe(false);
    answerNow({ outcome: 'saved', updatedAt: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(afterDone).toBe(true);
  });

  it('hands on nothing when everything is saved, or after clear or stop', async () => {
    const { saver, ended, sent } = setup();
    saver.change(draft('saved as a note'));
    saver.clear();
    saver.end();
    const stopped = setup();
    stopped.saver.change(draft('discarded'));
    stopped.saver.stop();
    stopped.saver.end();
    await vi.advanceTimersByTimeAsync(5_000);
    expect([...ended, ...stopped.ended, ...sent, ...stopped.sent]).toEqual([]);
  });

  it('stops on a refusal (a limit) and reports it', async () => {
    const { saver, sent } = setup(['refused']);
    saver.change(draft('x'));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(1);
    expect(saver.getStatus()).toBe('refused');
  });
});
