import { useRef, useState } from 'react';
import { AlertDialog } from '../../lib/alert-dialog';
import { useAuth } from '../auth';
import { currentEditor } from './editor-session';
import { notesApi } from './notes-api';

/**
 * The header's Sign out. With an unsaved note (in the open editor, or a draft on the server) it
 * asks once: keep the draft for next time, or discard it. Without one it signs out at once.
 */
export function SignOutButton({ onSignOut, retentionText }: { onSignOut: () => void; retentionText: string }) {
  const [asking, setAsking] = useState(false);
  const keepRef = useRef<HTMLButtonElement>(null);
  const state = useAuth();

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
    if (state.status === 'signed-in') await notesApi.discardDraft(state.sessionId);
    onSignOut();
  }

  return (
    <>
      <button type="button" className="button secondary small" onClick={() => void start()}>
        Sign out
      </button>
      <AlertDialog
        open={asking}
        title="Keep your unsaved note?"
        description={`You have a note you have not saved. Keep it as a draft for next time (for ${retentionText}, for you only), or discard it.`}
        initialFocusRef={keepRef}
        onEscape={() => setAsking(false)}
      >
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
      </AlertDialog>
    </>
  );
}

async function draftOnServer(): Promise<boolean> {
  const result = await notesApi.getDraft();
  return result.ok && result.data.draft !== null;
}
