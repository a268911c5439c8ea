import type { SessionPolicy, SessionResponse, SignInRequest, User } from '../../../shared/contract';
import { api, type ApiResult } from '../../lib/api';
import type { TimingSample } from '../session';
import { createListeners } from '../../lib/listeners';
import type { SignOutReason } from './sign-out-reason';

export type AuthState =
  | { status: 'loading' }
  | {
      status: 'signed-in';
      user: User;
      sample: TimingSample;
      /** The session's public id: a sign-out that is about one session names it. */
      sessionId: string;
    }
  | { status: 'signed-out'; reason?: SignOutReason };

/** The longest the other tabs wait to hear of a sign-in here, for its `beforeSignInAnnounced` work. */
export const announceWaitMs = 3_000;

export interface SignOutEvent {
  reason: SignOutReason;
  /** True when another tab ended the session and this tab only follows. */
  fromOtherTab: boolean;
  /** The public id of the session that ended. */
  sessionId: string;
}

/**
 * Who is signed in, outside React: loaders and components read the same object, React
 * subscribes through `useAuth`. Sign-in and sign-out go through here and nowhere else.
 */
export function createAuthStore() {
  let state: AuthState = { status: 'loading' };
  /** The policy request, shared by everyone who asks while it is out; dropped when it fails. */
  let policyRequest: Promise<SessionPolicy | undefined> | undefined;
  const listeners = createListeners();
  const signOutListeners = createListeners<[SignOutEvent]>();
  const signInListeners = createListeners();
  // Sign-ins reach every tab, signed in or not (a signed-in tab's session channel is not enough:
  // a tab on the login page has none). The browser shares one cookie, so every tab follows.
  const signInChannel =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel('idle-session-sign-in') : undefined;
  signInChannel?.addEventListener('message', () => void followSignInElsewhere());
  /** Work this tab finishes under a new session before other tabs hear of it (`beforeSignInAnnounced`). */
  const beforeAnnouncing = new Set<() => Promise<unknown>>();

  function set(next: AuthState) {
    state = next;
    listeners.notify();
  }

  function remember(result: ApiResult<SessionResponse>) {
    if (!result.ok) return;
    const { id, ...timing } = result.data.session;
    set({
      status: 'signed-in',
      user: result.data.user,
      sample: { timing, sentAt: result.sentAt },
      sessionId: id,
    });
  }

  /**
   * Another tab signed in, so this tab's cookie now names that session: take its user and timing,
   * and let the login page move on. Signed in here as someone else, this tab signs that user out
   * first (listeners told, as for any sign-out; the other tab's sign-in ended their session in
   * this browser), so nothing of theirs, unsaved text included, carries into the new user's session.
   */
  async function followSignInElsewhere() {
    const result = await api.getSession();
    if (!result.ok) return;
    if (state.status === 'signed-in' && state.user.username !== result.data.user.username) {
      signOut('other-tab', { fromOtherTab: true });
    }
    remember(result);
    signInListeners.notify();
  }

  /**
   * Ends the session on this client: state cleared, listeners told (they navigate and tell other
   * tabs), and the server session deleted, except `fromOtherTab`: that tab's sign-out deleted it.
   * `sessionId`: the sign-out is about that session only (an expiry, a 401, another tab's
   * sign-out); when this tab has moved on to a newer session meanwhile, it is stale and does
   * nothing. Every sign-out but the user's own click names its session to the server too.
   */
  function signOut(
    reason: SignOutReason,
    { fromOtherTab = false, sessionId }: { fromOtherTab?: boolean; sessionId?: string } = {},
  ) {
    if (state.status !== 'signed-in') return;
    if (sessionId !== undefined && sessionId !== state.sessionId) return;
    const ended = state.sessionId;
    set({ status: 'signed-out', reason });
    try {
      sessionStorage.clear();
    } catch {
      // Storage can be unavailable (privacy modes); nothing of the user is left in it then.
    }
    signOutListeners.notify({ reason, fromOtherTab, sessionId: ended });
    if (!fromOtherTab) void api.signOut(reason === 'signed-out' ? undefined : ended);
  }

  /**
   * Tells the other tabs of this tab's sign-in once the work registered with
   * `beforeSignInAnnounced` is done (text kept from the user's last session, handed over to this
   * one: a tab that followed first would load the draft without it, and its next save would
   * overwrite it), or after `announceWaitMs` at most.
   */
  async function announceSignIn() {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise((resolve) => (timer = setTimeout(resolve, announceWaitMs)));
    await Promise.race([Promise.allSettled([...beforeAnnouncing].map(async (task) => task())), waited]);
    clearTimeout(timer);
    try {
      signInChannel?.postMessage({ type: 'signed-in' });
    } catch {
      // Closed meanwhile (`close`): there is no one left to tell.
    }
  }

  /** The one start-up request that decides signed in or not. */
  const ready: Promise<void> = api.getSession().then((result) => {
    if (result.ok) remember(result);
    else set({ status: 'signed-out' });
  });

  return {
    ready,
    getState: () => state,
    subscribe: listeners.add,

    /**
     * The server's limits (for telling people before they sign in); fetched once, by one request
     * however many parts of the page ask at once. A failed request is tried again at the next ask.
     */
    getPolicy(): Promise<SessionPolicy | undefined> {
      policyRequest ??= api.getPolicy().then((result) => {
        if (result.ok) return result.data;
        policyRequest = undefined;
        return undefined;
      });
      return policyRequest;
    },

    async signIn(credentials: SignInRequest) {
      const result = await api.signIn(credentials);
      remember(result);
      if (result.ok) void announceSignIn();
      return result;
    },

    /**
     * `task` runs to its end (or for `announceWaitMs`) after each sign-in in this tab, before the
     * other tabs hear of it. Returns the function that removes it.
     */
    beforeSignInAnnounced(task: () => Promise<unknown>): () => void {
      beforeAnnouncing.add(task);
      return () => void beforeAnnouncing.delete(task);
    },

    signOut,

    /** Runs when another tab signed in and this one took over its session. */
    onSignInElsewhere: signInListeners.add,

    /** Stops listening to other tabs (tests create many stores in one page). */
    close() {
      signInChannel?.close();
    },

    /** Runs on every sign-out of this tab, after the state is cleared. */
    onSignOut: signOutListeners.add,
  };
}

export type AuthStore = ReturnType<typeof createAuthStore>;
