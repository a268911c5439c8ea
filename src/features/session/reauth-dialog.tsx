import { useId, useRef, useState, type FormEvent } from 'react';
import { AlertDialog } from '../../lib/alert-dialog';

/**
 * Asks for the password again, in place (recent sign-in, ASVS 5 V7.5.2): a modal dialog named
 * "Enter your password again" that says what it is for, with focus in the field, errors
 * announced (`role="alert"`) and tied to the field, and Escape or Cancel meaning "do nothing".
 * `onSubmit` resolves with an error message to show, or undefined when the dialog may close.
 */
export function ReauthDialog({
  open,
  purpose,
  onSubmit,
  onCancel,
}: {
  open: boolean;
  /** What the password is for, as the end of "Enter your password to …", e.g. "sign out everywhere else". */
  purpose: string;
  onSubmit: (password: string) => Promise<string | undefined>;
  onCancel: () => void;
}) {
  const passwordRef = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const fieldId = useId();
  const errorId = useId();

  function close(then: () => void) {
    setPassword('');
    setError(undefined);
    then();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (password === '') {
      setError('Enter your password.');
      passwordRef.current?.focus();
      return;
    }
    setBusy(true);
    const problem = await onSubmit(password);
    setBusy(false);
    if (problem === undefined) {
      close(() => undefined);
      return;
    }
    setError(problem);
    setPassword('');
    passwordRef.current?.focus();
  }

  return (
    <AlertDialog
      open={open}
      role="dialog"
      title="Enter your password again"
      description={`For your security, enter your password to ${purpose}. You signed in a while ago.`}
      initialFocusRef={passwordRef}
      onEscape={() => close(onCancel)}
    >
      <form className="reauth-form" noValidate onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor={fieldId}>Password</label>
          <input
            ref={passwordRef}
            id={fieldId}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
          />
          {error && (
            <p className="field-error" id={errorId} role="alert">
              {error}
            </p>
          )}
        </div>
        <div className="dialog-actions">
          <button type="submit" className="button primary" disabled={busy}>
            Confirm
          </button>
          <button type="button" className="button secondary" onClick={() => close(onCancel)}>
            Cancel
          </button>
        </div>
      </form>
    </AlertDialog>
  );
}
