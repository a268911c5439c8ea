import type { DraftRequest } from '../../../shared/contract';

/**
 * How a draft save went: saved (with the server's `updatedAt` of that save), worth trying again
 * (network, 5xx, 429), `ended` (the session it belongs to is over: 401, or this browser signed in
 * again since: 409 `session_mismatch`), or refused for good (any other 4xx).
 */
export type DraftSendResult =
  { outcome: 'saved'; updatedAt: number } | { outcome: 'retry' } | { outcome: 'ended' } | { outcome: 'refused' };

/**
 * `idle`: nothing to save. `pending`: typed, saved about a second after the last keystroke.
 * `saving`, `saved`, `retrying` (a save failed and will be tried again), `ended` (the session is
 * over: the text went to this tab's unsent draft, see unsent-draft.ts), `refused` (a limit).
 */
export type DraftStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'retrying' | 'ended' | 'refused';

export interface DraftSaverOptions {
  send(draft: DraftRequest): Promise<DraftSendResult>;
  onStatus(status: DraftStatus): void;
  /**
   * The session ended (or the editor went away) with text the server does not have: it is the
   * caller's to deliver or keep now. `after`: the save still on its way, to be sent after it.
   */
  onEnded(unsent: DraftRequest, after: Promise<unknown>): void;
  /** After the last change, in ms. */
  debounceMs?: number;
  /** The `updatedAt` of the server's draft this editor starts from (a restored draft), if any. */
  savedAt?: number;
}

/** Retries after 1 s, 2 s, 4 s … at most 15 s, as heartbeats do. */
export const draftRetryDelayMs = (attempt: number) => Math.min(15_000, 1_000 * 2 ** attempt);

/**
 * Keeps the server's draft up to date with the editor (docs/decisions/016-nothing-lost.md and
 * 023): debounced while typing, at once on `flush` (the warning opened, the page is hidden, the
 * browser is back online). One save at a time; the newest text always wins. A failed save is
 * retried and reported, never dropped in silence. When the session ends with text unsaved, that
 * text goes to `onEnded` once and the saver stops: nothing is ever sent under another session.
 */
export function createDraftSaver({ send, onStatus, onEnded, debounceMs = 1_000, savedAt }: DraftSaverOptions) {
  let latest: DraftRequest | undefined;
  let version = 0;
  let savedVersion = 0;
  let inFlight: Promise<DraftSendResult> | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** The session is over: later changes go straight to `onEnded`, as the newest unsent text. */
  let ended = false;
  let status: DraftStatus = 'idle';
  let lastSavedAt = savedAt;

  const setStatus = (next: DraftStatus) => {
    if (next === status) return;
    status = next;
    onStatus(next);
  };
  const unsaved = () => latest !== undefined && version > savedVersion;
  const schedule = (delayMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => void save(), delayMs);
  };
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };

  /** The session is over: what the server does not have is handed on, once. */
  function end() {
    const unsent = unsaved() ? latest : undefined;
    stop();
    if (!unsent) return;
    ended = true;
    setStatus('ended');
    onEnded(unsent, inFlight ?? Promise.resolve());
  }

  async function save() {
    clearTimeout(timer);
    if (stopped || inFlight || !unsaved()) return;
    const sending = version;
    if (status !== 'retrying') setStatus('saving');
    inFlight = send(latest!).catch((): DraftSendResult => ({ outcome: 'retry' }));
    const result = await inFlight;
    inFlight = undefined;
    if (stopped) return;
    if (result.outcome === 'saved') {
      attempt = 0;
      savedVersion = Math.max(savedVersion, sending);
      lastSavedAt = result.updatedAt;
      if (unsaved()) return save(); // typed meanwhile: send the newer text now
      return setStatus('saved');
    }
    if (result.outcome === 'ended') return end();
    if (result.outcome === 'refused') return setStatus('refused');
    setStatus('retrying');
    schedule(draftRetryDelayMs(attempt++));
  }

  return {
    getStatus: () => status,
    /** The `updatedAt` of the last draft this editor saved or started from: a discard names it. */
    savedAt: () => lastSavedAt,
    /** The editor changed: saved about `debounceMs` after the last change. */
    change(draft: DraftRequest) {
      // Typed after the session ended, before the tab has signed out: the newest text is the one kept.
      if (ended) return onEnded(draft, Promise.resolve());
      if (stopped) return;
      latest = draft;
      version++;
      if (status !== 'retrying') {
        setStatus('pending');
        schedule(debounceMs);
      }
    },
    /** Saves now what is not saved yet (the warning opened, the page is hidden, back online). */
    flush: () => save(),
    /**
     * The page is going away: the newest text is sent now even while an older save is on its
     * way (that one is not waited for; either may land last, and the lost-text record tells).
     */
    flushAsPageGoes() {
      if (stopped || !unsaved()) return;
      if (!inFlight) return void save();
      void send(latest!).catch(() => undefined);
    },
    /**
     * The session ended (or the editor goes away): the text the server does not have yet, if any,
     * goes to `onEnded`, which delivers it or keeps it for the same user's next sign-in.
     */
    end() {
      if (!stopped) end();
    },
    /** Resolves when no save is on its way (before deleting the draft: no save may land after). */
    settled: async () => void (await inFlight),
    /** True while the editor holds changes the server's draft does not have yet. */
    hasUnsaved: unsaved,
    /** The draft was saved as a note or discarded: nothing is left to send. */
    clear() {
      clearTimeout(timer);
      latest = undefined;
      savedVersion = version;
      attempt = 0;
      lastSavedAt = undefined;
      setStatus('idle');
    },
    /** Stops for good without handing anything on (an explicit sign-out, or another user signed in). */
    stop,
    /** Works again after `stop` (React StrictMode unmounts and mounts once). */
    start() {
      stopped = false;
    },
  };
}

export type DraftSaver = ReturnType<typeof createDraftSaver>;
