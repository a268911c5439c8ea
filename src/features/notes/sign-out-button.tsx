import { useEffect, useId, useRef, useState } from 'react';
import { currentEditor } from './editor-session';
import { notesApi } from './notes-api';

/**
 * The header's Sign out. With an unsaved note (in the open editor, or a draft on the server) it
 * asks once: keep the draft for next time, or discard it. Without one it signs out at once.
 */
export function SignOutButton({ onSignOut, retentionText }: { onSignOut: () => void; retentionText: string }) {
  const [asking, setAsking] = useState(false);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    if (asking && !dialog.open) {
      dialog.showModal();
      keepRef.current?.focus();
    } else if (!asking && dialog.open) {
      dialog.close();
      buttonRef.current?.focus();
    }
  }, [asking]);

  async function start() {
    const editor = currentEditor();
    if (editor ? editor.hasDraft() : await draftOnServer()) setAsking(true);
    else onSignOut();
  }

  async function keep() {
    await currentEditor()?.keepDraft();
    onSignOut();
  }

  async function discard() {
    await currentEditor()?.dropDraft();
    await notesApi.discardDraft();
    onSignOut();
  }

  return (
    <>
      <button ref={buttonRef} type="button" className="button secondary small" onClick={() => void start()}>
        Sign out
      </button>
      <dialog
        ref={dialogRef}
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={descriptionId}
        className="timeout-dialog"
        onCancel={(event) => {
          event.preventDefault();
          setAsking(false);
        }}
      >
        <h2 id={titleId}>Keep your unsaved note?</h2>
        <p id={descriptionId}>
          You have a note you have not saved. Keep it as a draft for next time (for {retentionText}, for you only), or
          discard it.
        </p>
        <div className="dialog-actions">
          <button ref={keepRef} type="button" className="button primary" onClick={() => void keep()}>
            Keep draft and sign out
          </button>
          <button type="button" className="button secondary" onClick={() => void discard()}>
            Discard draft and sign out
          </button>
          <button type="button" className="button secondary" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}

async function draftOnServer(): Promise<boolean> {
  const result = await notesApi.getDraft();
  return result.ok && result.data.draft !== null;
}
