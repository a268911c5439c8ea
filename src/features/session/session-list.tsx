import { useCallback, useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../../shared/contract';
import { api } from '../../lib/api';
import { formatDateTime, formatTimeAgo } from '../../lib/duration';

type ListState = { status: 'loading' } | { status: 'ready'; sessions: SessionSummary[] } | { status: 'failed' };

/** The list as the server has it now; undefined after a 401 (the API client signs this tab out). */
async function fetchList(): Promise<ListState | undefined> {
  const result = await api.listSessions();
  if (result.ok) return { status: 'ready', sessions: result.data.sessions };
  return result.status === 401 ? undefined : { status: 'failed' };
}

/**
 * Where you are signed in (ASVS 5 V7.5): every live session of this user, "This browser" first,
 * with a Sign out per other session and Sign out everywhere else. Refreshes when the window
 * gains focus. A 401 on any of these requests signs this browser out (the API client's listener).
 */
export function SessionList({ idleTimeoutMs }: { idleTimeoutMs: number }) {
  const [list, setList] = useState<ListState>({ status: 'loading' });
  const [announcement, setAnnouncement] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);

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

  const signOutOne = async (session: SessionSummary) =>
    ended(
      (await api.endSession(session.id)).ok,
      `${session.browser}, signed in ${formatDateTime(Date.parse(session.signedInAt))}`,
    );
  const signOutOthers = async () => ended((await api.endOtherSessions()).ok, 'everywhere else');

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
            <button type="button" className="button secondary" onClick={() => void signOutOthers()}>
              Sign out everywhere else
            </button>
          )}
        </>
      )}
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
