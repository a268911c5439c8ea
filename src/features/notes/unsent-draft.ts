import { useSyncExternalStore } from 'react';
import type { DraftRequest } from '../../../shared/contract';
import { createListeners } from '../../lib/listeners';
import type { AuthStore } from '../auth';
import { draftRetryDelayMs, type DraftSendResult } from './draft-saver';
import { lostText as thisPagesRecord, type LostTextRecord } from './lost-text';
import { saveDraft } from './notes-api';

/**
 * Text that left an editor before the server had it (docs/decisions/023-drafts-bound-to-their-session.md):
 * the Notes page was left, or its session ended (idle, absolute, ended from another device,
 * offline through the deadline). This tab keeps it **in memory only** and delivers it as its
 * user's draft:
 * - under the same session at once, retrying while the server cannot be reached;
 * - after **the same user** signs in again in this tab, under that new session (the hand-over);
 * - never for anyone else: when another user signs in here, it is dropped.
 *
 * What cannot be delivered before the tab closes is lost, and the app says so: the lost-text
 * record (lost-text.ts, a cookie with no text in it) keeps this page's entry until the text is
 * delivered, and the next restore for that user reads it instead of claiming a full one.
 */

interface Held {
  username: string;
  /** The session to deliver it under: the one it was typed in, or the same user's next one. */
  sessionId: string;
  draft: DraftRequest;
  /** A save of older text still on its way: this one goes after it. */
  after: Promise<unknown>;
}

export interface TabUser {
  username: string;
  sessionId: string;
}

export function createUnsentDraft(
  send: (draft: DraftRequest, sessionId: string) => Promise<DraftSendResult>,
  record: LostTextRecord = thisPagesRecord,
) {
  let held: Held | undefined;
  /** The open editor's text has not reached the server (its saves are being retried). */
  let editorBehind = false;
  let current: TabUser | undefined;
  /** A session that answered "ended" to a delivery: nothing more is sent under it. */
  let endedSession: string | undefined;
  let delivering: Promise<void> | undefined;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners = createListeners();

  function set(next: Held | undefined) {
    held = next;
    listeners.notify();
  }

  function deliver() {
    clearTimeout(retryTimer);
    if (!held || delivering || !current || current.username !== held.username) return;
    if (current.sessionId === endedSession) return;
    const sending = held;
    // The same user signed in again: the hand-over goes under the session they are in now.
    sending.sessionId = current.sessionId;
    delivering = (async () => {
      await sending.after.catch(() => undefined);
      const result = await send(sending.draft, sending.sessionId).catch((): DraftSendResult => ({ outcome: 'retry' }));
      delivering = undefined;
      if (held !== sending) return deliver(); // newer text came meanwhile
      if (result.outcome === 'saved') {
        attempt = 0;
        record.markDelivered(sending.username);
        return set(undefined);
      }
      // Unless refused, still on its way: a restore of exactly it, in any tab, proves it arrived
      // (without that, a tab reading the draft between the server's save and this page's
      // markDelivered said the text was lost).
      record.markUndelivered(sending.username, result.outcome === 'refused' ? undefined : sending.draft);
      // `ended`: kept for the same user's next sign-in in this tab (`signedIn` delivers it then).
      if (result.outcome === 'ended') endedSession = sending.sessionId;
      if (result.outcome === 'retry') retryTimer = setTimeout(deliver, draftRetryDelayMs(attempt++));
      // `refused` (a limit): nothing more can be done with it; the record keeps it as a loss.
      if (result.outcome === 'refused') {
        record.abandon(sending.username);
        set(undefined);
      }
    })();
  }

  return {
    /** Takes text the server does not have yet and delivers it (see above). */
    hold(username: string, sessionId: string, draft: DraftRequest, after: Promise<unknown> = Promise.resolve()) {
      // Until the server has it, the next restore for this user may not claim it is complete; a
      // restore of exactly this text (in any tab) shows it arrived.
      record.markUndelivered(username);
      record.markSupersededBy(username, draft);
      set({ username, sessionId, draft: { ...draft }, after });
      deliver();
    },
    /**
     * Who this tab is signed in as now (undefined: nobody). Another user: the held text is
     * dropped, unseen and unsent. The same user again: it is delivered under the new session.
     */
    signedIn(user: TabUser | undefined) {
      current = user;
      if (held && user && user.username !== held.username) {
        clearTimeout(retryTimer);
        // Never delivered now: a loss, which this page's later saves (as that user) do not clear.
        record.abandon(held.username);
        return set(undefined);
      }
      deliver();
    },
    /**
     * The editor takes `username`'s held text back (the Notes page opened again before it could be
     * delivered): returned and no longer held here. Call after `settled`.
     */
    take(username: string): DraftRequest | undefined {
      if (!held || held.username !== username || delivering) return undefined;
      const { draft } = held;
      clearTimeout(retryTimer);
      set(undefined);
      return draft;
    },
    /**
     * The page is going away: held text goes with it. The record says so afresh, so that text
     * held for over a day (an entry said for a day only) is still said to be lost.
     */
    pageGoes() {
      if (held) record.markUndelivered(held.username, held.draft);
    },
    /** The browser is back online: try now. */
    retryNow: () => deliver(),
    /** Resolves when no delivery is on its way (the Notes loader reads the draft after it). */
    settled: async () => void (await delivering),
    /** True while this tab holds text the server does not have. */
    isHolding: () => held !== undefined,
    /** The open editor says whether its text has reached the server. */
    setEditorBehind(behind: boolean) {
      if (behind === editorBehind) return;
      editorBehind = behind;
      listeners.notify();
    },
    /**
     * Whose text in this tab has not reached the server (held, or in the open editor), for the
     * warning and the sign-in page to say so instead of promising it is kept.
     */
    undelivered: (): string | undefined => held?.username ?? (editorBehind ? current?.username : undefined),
    /** The user chose to discard their unsaved text. */
    drop() {
      clearTimeout(retryTimer);
      editorBehind = false;
      set(undefined);
    },
    subscribe: listeners.add,
  };
}

/** Whose text in this tab has not reached the server, if anyone's (re-renders when that changes). */
export function useUndeliveredDraft(): string | undefined {
  return useSyncExternalStore(unsentDraft.subscribe, unsentDraft.undelivered);
}

/** This tab's unsent draft. */
export const unsentDraft = createUnsentDraft((draft, sessionId) => saveDraft({ ...draft, sessionId }));

/**
 * Wires this tab's unsent draft to its auth store and the browser: every sign-in and sign-out
 * (its own or one it follows from another tab), the browser coming back online, and a warning
 * before the tab closes with text the server does not have. Returns the function that unhooks it.
 */
export function keepUnsentDrafts(auth: AuthStore): () => void {
  const follow = () => {
    const state = auth.getState();
    unsentDraft.signedIn(
      state.status === 'signed-in' ? { username: state.user.username, sessionId: state.sessionId } : undefined,
    );
  };
  follow();
  const stopFollowing = auth.subscribe(follow);
  // Text handed over at a sign-in here reaches the server before the other tabs follow the sign-in
  // and load the user's draft: loaded first, their editors would miss it and overwrite it.
  const stopDelaying = auth.beforeSignInAnnounced(() => unsentDraft.settled());
  const online = () => unsentDraft.retryNow();
  const pageHide = () => unsentDraft.pageGoes();
  // The browser's own "Leave site?" question: the text would be lost with the tab.
  const beforeUnload = (event: BeforeUnloadEvent) => {
    if (unsentDraft.isHolding()) event.preventDefault();
  };
  window.addEventListener('online', online);
  window.addEventListener('pagehide', pageHide);
  window.addEventListener('beforeunload', beforeUnload);
  return () => {
    stopFollowing();
    stopDelaying();
    unsentDraft.drop();
    unsentDraft.signedIn(undefined);
    window.removeEventListener('online', online);
    window.removeEventListener('pagehide', pageHide);
    window.removeEventListener('beforeunload', beforeUnload);
  };
}
