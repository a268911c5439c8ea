import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { SessionSummary } from '../../../shared/contract';
import { api, type ApiResult } from '../../lib/api';
import { formatDateTime, formatTimeAgo } from '../../lib/duration';
import { ReauthDialog } from './reauth-dialog';

/**
 * Something the user asked for that may need a recent sign-in: `run` asks the server (again after
 * the password), `done` says how it went. `purpose` ends "Enter your password to …".
 */
interface SessionAction {
  purpose: string;
  run: () => Promise<ApiResult<unknown>>;
  done: (ok: boolean) => Promise<void>;
}

const needsRecentSignIn = (result: ApiResult<unknown>) =>
  !result.ok && result.status === 401 && result.error.error === 'reauth_required';

type ListState = { status: 'loading' } | { status: 'ready'; sessions: SessionSummary[] } | { status: 'failed' };

/** The list as the server has it now; undefined after a 401 (the API client signs this tab out). */
async function fetchList(): Promise<ListState | undefined> {
  const result = await api.listSessions();
  if (result.ok) return { status: 'ready', sessions: result.data.sessions };
  return result.status === 401 ? undefined : { status: 'failed' };
}

/**
 * Where you are signed in (ASVS 5 V7.5): every live session of this user, "This browser" first,
 * with a Sign out per other session and Sign out everywhere else (optionally forgetting the other
 * browsers too), and Forget other browsers. Ending sessions and forgetting browsers need a recent
 * sign-in (ASVS 5 V7.5.2): when the server says so, the password is asked for in place and the
 * action then carried out. Refreshes when the window gains focus. A 401 other than
 * `reauth_required` signs this browser out (the API client's listener).
 */
export function SessionList({ idleTimeoutMs }: { idleTimeoutMs: number }) {
  const [list, setList] = useState<ListState>({ status: 'loading' });
  const [announcement, setAnnouncement] = useState('');
  const [alsoForget, setAlsoForget] = useState(false);
  const [waiting, setWaiting] = useState<SessionAction>();
  const heading = useRef<HTMLHeadingElement>(null);
  const alsoForgetId = useId();

  const load = useCallback(() => {
    void fetchList().then((next) => next && setList(next));
  }, []);

  useEffect(() => {
    load();
    window.addEventListener('focus', load);
    return () => window.removeEventListener('focus', load);
  }, [load]);

  /** After an ending: say what happened, reload, and keep focus in the section (the button is gone). */
  async function ended(ok: boolean, what: string) {
    setAnnouncement(ok ? `Signed out ${what}.` : `Could not sign out ${what}. Try again.`);
    const next = await fetchList();
    if (next) setList(next);
    heading.current?.focus();
  }

  /** Runs `action`; when the server wants the password first, asks for it (the dialog) and waits. */
  async function perform(action: SessionAction) {
    const result = await action.run();
    if (needsRecentSignIn(result)) setWaiting(action);
    else await action.done(result.ok);
  }

  /** The dialog's password: checked by the server, then the waiting action carried out. */
  async function reauthenticate(password: string): Promise<string | undefined> {
    const result = await api.reauthenticate({ password });
    if (!result.ok) {
      if (result.status === 429) {
        return `Too many wrong passwords. Try again in ${result.error.retryAfterSeconds ?? 60} seconds.`;
      }
      if (result.error.error === 'invalid_credentials') return 'That password is wrong. Try again.';
      return 'Your password could not be checked. Try again.';
    }
    const action = waiting;
    setWaiting(undefined);
    if (action) await perform(action);
    return undefined;
  }

  function cancelReauth() {
    setWaiting(undefined);
    setAnnouncement('Nothing was changed.');
  }

  const signOutOne = (session: SessionSummary) => {
    const what = `${session.browser}, signed in ${formatDateTime(Date.parse(session.signedInAt))}`;
    return perform({
      purpose: `sign out ${what}`,
      run: () => api.endSession(session.id),
      done: (ok) => ended(ok, what),
    });
  };
  const signOutOthers = () =>
    perform({
      purpose: alsoForget ? 'sign out everywhere else and forget the other browsers' : 'sign out everywhere else',
      run: async () => {
        const result = await api.endOtherSessions();
        return result.ok && alsoForget ? api.forgetOtherDevices() : result;
      },
      done: (ok) => ended(ok, alsoForget ? 'everywhere else, and forgot the other browsers' : 'everywhere else'),
    });
  const forgetOthers = () =>
    perform({
      purpose: 'forget the other browsers',
      run: () => api.forgetOtherDevices(),
      done: async (ok) => {
        setAnnouncement(
          ok
            ? 'Other browsers forgotten. Each of them is checked as a new device at its next sign-in.'
            : 'Could not forget the other browsers. Try again.',
        );
        heading.current?.focus();
      },
    });

  const others = list.status === 'ready' ? list.sessions.filter((session) => !session.current) : [];
  return (
    <section className="card" aria-labelledby="your-sessions">
      <h2 id="your-sessions" ref={heading} tabIndex={-1}>
        Where you are signed in
      </h2>
      <p role="status" className="visually-hidden">
        {announcement}
      </p>
      {list.status === 'loading' && <p className="hint">Loading your sessions…</p>}
      {list.status === 'failed' && (
        <p>Your sessions could not be loaded. They load again when you come back to this window.</p>
      )}
      {list.status === 'ready' && (
        <>
          <ul className="session-list">
            {list.sessions.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                idleTimeoutMs={idleTimeoutMs}
                onSignOut={() => void signOutOne(session)}
              />
            ))}
          </ul>
          {others.length === 0 ? (
            <p className="hint">You are signed in only in this browser.</p>
          ) : (
            <div className="session-actions">
              <button type="button" className="button secondary" onClick={() => void signOutOthers()}>
                Sign out everywhere else
              </button>
              <label className="checkbox" htmlFor={alsoForgetId}>
                <input
                  id={alsoForgetId}
                  type="checkbox"
                  checked={alsoForget}
                  onChange={(event) => setAlsoForget(event.target.checked)}
                />
                Also forget the other browsers
              </label>
            </div>
          )}
        </>
      )}
      <h3 className="subsection">Browsers that remember you</h3>
      <p className="hint">
        Each browser you signed in on remembers you for 30 days, also after signing out, so other people’s wrong
        passwords cannot lock you out of it. Forget them if you lost one or used someone else’s.
      </p>
      <button type="button" className="button secondary" onClick={() => void forgetOthers()}>
        Forget other browsers
      </button>
      <ReauthDialog
        open={waiting !== undefined}
        purpose={waiting?.purpose ?? ''}
        onSubmit={reauthenticate}
        onCancel={cancelReauth}
      />
    </section>
  );
}

function SessionRow({
  session,
  idleTimeoutMs,
  onSignOut,
}: {
  session: SessionSummary;
  idleTimeoutMs: number;
  onSignOut: () => void;
}) {
  const signedIn = formatDateTime(Date.parse(session.signedInAt));
  // From durations, not clock times: the server's and this browser's clocks may differ.
  const lastActive = formatTimeAgo(Math.max(0, idleTimeoutMs - session.idleExpiresInMs));
  return (
    <li className="session-row">
      <div>
        <p className="session-browser">
          <strong>{session.browser}</strong>
          {session.current && <span className="badge">This browser</span>}
        </p>
        <p className="hint">
          Signed in {signedIn} · last active {lastActive}
        </p>
      </div>
      {!session.current && (
        <button
          type="button"
          className="button secondary small"
          aria-label={`Sign out ${session.browser}, signed in ${signedIn}`}
          onClick={onSignOut}
        >
          Sign out
        </button>
      )}
    </li>
  );
}
