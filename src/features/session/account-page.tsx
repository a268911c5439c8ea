import { formatClockTime, formatDurationWords } from '../../lib/duration';
import { useSessionSnapshot } from './session-provider';
import { SessionList } from './session-list';

/** The session's limits and time left, so nobody is surprised by a sign-out (WCAG 2.2.6). */
export function AccountPage({ username }: { username: string }) {
  const { idleTimeoutMs, warningMs, deadline, absoluteDeadline } = useSessionSnapshot();
  return (
    <>
      <title>Your account – Idle Session</title>
      <h1 tabIndex={-1}>Your account</h1>
      <p>
        Signed in as <strong>{username}</strong>.
      </p>
      <section className="card" aria-labelledby="session-limits">
        <h2 id="session-limits">Your session</h2>
        <dl className="facts">
          <dt>Sign-out after inactivity</dt>
          <dd>{formatDurationWords(idleTimeoutMs)}</dd>
          <dt>Warning before that</dt>
          <dd>{formatDurationWords(warningMs)}, with a button to stay signed in</dd>
          <dt>If you do nothing, signed out at</dt>
          <dd>{formatClockTime(deadline, { seconds: true })}</dd>
          <dt>Session ends at the latest</dt>
          <dd>{formatClockTime(absoluteDeadline)} (sign in again after that)</dd>
        </dl>
        <p className="hint">
          Any mouse, keyboard, touch or scroll activity in any tab of this app keeps you signed in.
        </p>
      </section>
      <SessionList idleTimeoutMs={idleTimeoutMs} />
    </>
  );
}
