import type { DraftRequest } from '../../../shared/contract';

/** How a draft save went: saved, worth trying again (network, 5xx), or refused for good (401, 4xx). */
export type DraftSendOutcome = 'saved' | 'retry' | 'refused';

/**
 * `idle`: nothing to save. `pending`: typed, saved about a second after the last keystroke.
 * `saving`, `saved`, `retrying` (a save failed and will be tried again), `refused` (the server
 * will not take it: the session ended, or a limit).
 */
export type DraftStatus = 'idle' | 'pending' | 'saving' | 'saved' | 'retrying' | 'refused';

export interface DraftSaverOptions {
  send(draft: DraftRequest, options: { keepalive: boolean }): Promise<DraftSendOutcome>;
  onStatus(status: DraftStatus): void;
  /** After the last change, in ms. */
  debounceMs?: number;
}

/** Retries after 1 s, 2 s, 4 s … at most 15 s, as heartbeats do. */
export const draftRetryDelayMs = (attempt: number) => Math.min(15_000, 1_000 * 2 ** attempt);

/**
 * Keeps the server's draft up to date with the editor (docs/decisions/016-nothing-lost.md):
 * debounced while typing, at once on `flush` (the warning opened), with `keepalive` as the
 * session ends. One save at a time; the newest text always wins. A failed save is retried and
 * reported, never dropped in silence. `stop` ends every timer: nothing is sent afterwards, so a
 * draft can never go out under the next user's session.
 */
export function createDraftSaver({ send, onStatus, debounceMs = 1_000 }: DraftSaverOptions) {
  let latest: DraftRequest | undefined;
  let version = 0;
  let savedVersion = 0;
  let inFlight: Promise<DraftSendOutcome> | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let status: DraftStatus = 'idle';

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

  async function save() {
    clearTimeout(timer);
    if (stopped || inFlight || !unsaved()) return;
    const sending = version;
    if (status !== 'retrying') setStatus('saving');
    inFlight = send(latest!, { keepalive: false }).catch((): DraftSendOutcome => 'retry');
    const outcome = await inFlight;
    inFlight = undefined;
    if (stopped) return;
    if (outcome === 'saved') {
      attempt = 0;
      savedVersion = Math.max(savedVersion, sending);
      if (unsaved()) return save(); // typed meanwhile: send the newer text now
      return setStatus('saved');
    }
    if (outcome === 'refused') return setStatus('refused');
    setStatus('retrying');
    schedule(draftRetryDelayMs(attempt++));
  }

  return {
    getStatus: () => status,
    /** The editor changed: saved about `debounceMs` after the last change. */
    change(draft: DraftRequest) {
      if (stopped) return;
      latest = draft;
      version++;
      if (status !== 'retrying') {
        setStatus('pending');
        schedule(debounceMs);
      }
    },
    /** Saves now what is not saved yet (the warning opened). */
    flush: () => save(),
    /**
     * The session is ending: sends what is not saved yet with `keepalive`, so it completes even
     * if the page goes, and stops.
     */
    flushOnExit() {
      if (!stopped && unsaved()) void send(latest!, { keepalive: true }).catch(() => undefined);
      this.stop();
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
      setStatus('idle');
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
    /** Works again after `stop` (React StrictMode unmounts and mounts once). */
    start() {
      stopped = false;
    },
  };
}

export type DraftSaver = ReturnType<typeof createDraftSaver>;
