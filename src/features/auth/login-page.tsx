import { type FormEvent, useEffect, useState } from 'react';
import { demoPassword, maxUsernameLength, passwordSuffix, usernameProblem } from '../../../shared/credentials';
import { formatCountdown, formatDurationWords } from '../../lib/duration';
import { type LoginError, type LoginPageData, signInError } from './login-data';
import { signOutMessage } from './sign-out-messages';
import { useAuthStore } from './use-auth';

/**
 * The sign-in page. No react-router in here: a first load shows it before the router has loaded
 * (src/app/first-load.tsx); after a sign-out it is a route (login-route.tsx). `onSignedIn` moves
 * on to `data.next`, each host its own way.
 */
export function LoginPage({
  data,
  onSignedIn,
  notice,
}: {
  data: LoginPageData;
  onSignedIn: (next: string) => void;
  /** Something the app needs the person signing in to know (a note's text not yet saved). */
  notice?: React.ReactNode;
}) {
  const { reason, policy } = data;
  const { error, submitting, submit } = useSignIn(() => onSignedIn(data.next));
  const secondsToWait = useSecondsUntil(error?.retryAt, error?.retryAfterSeconds ?? 0);
  const blocked = error?.kind === 'rate_limited' && secondsToWait > 0;
  const usernameError = error?.field === 'username' ? error : undefined;
  const passwordError = error?.field === 'password' ? error : undefined;

  return (
    <main className="login" id="main">
      <title>Sign in – Idle Session</title>
      <p className="brand brand-line">Idle Session</p>
      <h1 tabIndex={-1}>Sign in</h1>
      <div role="status" className="reason-region">
        {reason && <p className="notice notice-reason">{signOutMessage(reason, policy?.idleTimeoutMs)}</p>}
      </div>
      {notice}
      {error && !error.field && (
        <div role="alert" className="error-summary" id="login-error">
          <p className="error-title">Login failed</p>
          {error.kind === 'rate_limited' ? (
            <p>
              {error.message}{' '}
              {blocked ? (
                <>
                  {/* Spoken once, in words; the ticking countdown is for the eyes only. */}
                  <span className="visually-hidden">
                    Try again in {formatDurationWords((error.retryAfterSeconds ?? 0) * 1000)}.
                  </span>
                  <span aria-hidden="true">Try again in {formatCountdown(secondsToWait * 1000)}.</span>
                </>
              ) : (
                'You can try again now.'
              )}
            </p>
          ) : (
            <p>{error.message}</p>
          )}
        </div>
      )}
      <form method="post" className="card login-form" noValidate onSubmit={submit}>
        <div className="field">
          <label htmlFor="username">Username</label>
          <input
            id="username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            maxLength={maxUsernameLength}
            aria-invalid={usernameError ? true : undefined}
            aria-describedby={usernameError ? 'username-error' : undefined}
          />
          <FieldError id="username-error" error={usernameError} />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={passwordError || error?.kind === 'invalid' ? true : undefined}
            aria-describedby={[
              passwordError ? 'password-error' : '',
              error && !error.field ? 'login-error' : '',
              'password-hint',
            ]
              .filter(Boolean)
              .join(' ')}
          />
          <FieldError id="password-error" error={passwordError} />
          <p className="hint" id="password-hint">
            Demo rule: any username, and the password is the username followed by <code>{passwordSuffix}</code> (for
            example <code>test</code> / <code>{demoPassword('test')}</code>).
          </p>
        </div>
        <button type="submit" className="button primary" disabled={submitting || blocked}>
          {submitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {policy && (
        <p className="hint timeout-policy">
          For your security, you will be signed out after {formatDurationWords(policy.idleTimeoutMs)} of inactivity, and
          warned {formatDurationWords(policy.warningMs)} before. A session lasts at most{' '}
          {formatDurationWords(policy.absoluteTimeoutMs)}. Notes you have not saved are kept for{' '}
          {formatDurationWords(policy.draftRetentionMs)}, for you only.
        </p>
      )}
    </main>
  );
}

/** A field's own error, tied to its input by `id` (the input's `aria-describedby`). */
function FieldError({ id, error }: { id: string; error: LoginError | undefined }) {
  if (!error) return null;
  return (
    <p className="field-error" id={id} role="alert">
      <span className="error-title">Login failed:</span> {error.message}
    </p>
  );
}

/**
 * The form's submit: one sign-in at a time; the error of the last failed one. After a success the
 * button stays busy until the host has moved on (the next page may still be loading).
 */
function useSignIn(onSignedIn: () => void) {
  const auth = useAuthStore();
  const [error, setError] = useState<LoginError>();
  const [submitting, setSubmitting] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    const form = new FormData(event.currentTarget);
    const username = String(form.get('username') ?? '');
    // The server's own rule, checked here too so a refused name needs no round trip.
    const problem = usernameProblem(username);
    if (problem) return setError({ kind: 'bad_request', message: problem, field: 'username' });
    setSubmitting(true);
    const result = await auth.signIn({ username, password: String(form.get('password') ?? '') });
    if (result.ok) return onSignedIn();
    setError(signInError(result));
    setSubmitting(false);
  }
  return { error, submitting, submit: (event: FormEvent<HTMLFormElement>) => void submit(event) };
}

/**
 * Whole seconds until `until` (a local time), counting down once a second; 0 when passed or unset.
 * Never more than `atMost` (what the server said), whatever moment the clock was last read.
 */
function useSecondsUntil(until: number | undefined, atMost: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (until === undefined) return;
    const timer = setInterval(() => {
      const time = Date.now();
      setNow(time);
      if (time >= until) clearInterval(timer);
    }, 1000);
    return () => clearInterval(timer);
  }, [until]);
  return until === undefined ? 0 : Math.max(0, Math.min(atMost, Math.ceil((until - now) / 1000)));
}
