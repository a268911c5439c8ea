import { useId, useRef } from 'react';
import { useLoaderData } from 'react-router';
import { noteLimits } from '../../../shared/note-limits';
import { formatClockTime } from '../../lib/duration';
import { useAuth } from '../auth';
import type { DraftStatus } from './draft-saver';
import { ImportNotes } from './import-notes';
import type { LostText } from './lost-text';
import type { NotesData } from './notes-loader';
import { useNoteEditor } from './use-note-editor';

const draftStatusText: Record<DraftStatus, string> = {
  idle: '',
  pending: 'Unsaved changes',
  saving: 'Saving draft…',
  saved: 'Draft saved on the server',
  retrying: 'Draft not saved yet, retrying',
  ended: 'Your session has ended: your text is kept in this tab until you sign in again',
  refused: 'Draft not saved: the server refused it',
};

/**
 * The Notes route: the page for the data loaded for this tab's session. While a newer session's
 * data loads (this tab followed a sign-in elsewhere), it shows nothing of the old one.
 */
export function NotesPage() {
  const loaded = useLoaderData<NotesData | null>();
  const state = useAuth();
  if (!loaded || state.status !== 'signed-in' || state.sessionId !== loaded.sessionId) return null;
  return <NotesEditorPage key={loaded.sessionId} loaded={loaded} />;
}

/**
 * Notes (docs/decisions/016-nothing-lost.md, 023): the saved notes, newest first, and one editor.
 * Every rule about the editor and its draft is in use-note-editor.ts; this only renders.
 */
function NotesEditorPage({ loaded }: { loaded: NotesData }) {
  const editor = useNoteEditor(loaded);
  const { fields, restored, draftStatus, message, error, conflict, busy } = editor;
  const titleRef = useRef<HTMLInputElement>(null);
  const ids = { title: useId(), text: useId(), textCount: useId(), titleCount: useId(), editor: useId() };
  const edit = editor.edit;

  const editing = fields.noteId !== null;
  return (
    <>
      <title>Notes – Idle Session</title>
      <h1 tabIndex={-1}>Notes</h1>
      <p className="lead">
        Your notes are kept on the server. Anything you type and have not saved yet is kept as a draft, also if you are
        signed out for inactivity.
      </p>

      {restored && (
        <div className="notice notice-restored" role="status">
          <p>{restoredText(loaded, editing, editor.lost)}</p>
          <button
            type="button"
            className="button secondary small"
            onClick={() => void editor.discardDraft().then(() => titleRef.current?.focus())}
          >
            Discard draft
          </button>
        </div>
      )}
      {editor.lostAlone && editor.lost && (
        <p className="notice notice-lost" role="status">
          Text you typed at {formatClockTime(editor.lost.since)} could not be kept: it never reached the server from the
          page it was typed in.
        </p>
      )}

      {conflict && (
        <section className="notice notice-conflict" role="alert" aria-labelledby="conflict-title">
          <h2 id="conflict-title">This note was changed in another tab</h2>
          <p>It was saved elsewhere after you opened it. Your text is still in the editor; the newer text is:</p>
          <blockquote className="conflict-text">
            <p>
              <strong>{conflict.title || 'Untitled'}</strong>
            </p>
            <p className="preserve-lines">{conflict.text}</p>
          </blockquote>
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={() => editor.keepMine(conflict)}>
              Keep mine
            </button>
            <button type="button" className="button secondary" onClick={() => editor.takeTheirs(conflict)}>
              Use the newer text
            </button>
          </div>
        </section>
      )}

      <form
        className="card notes-editor"
        aria-labelledby={ids.editor}
        onSubmit={(event) => {
          event.preventDefault();
          void editor.save();
        }}
      >
        <h2 id={ids.editor}>{editing ? 'Edit note' : 'New note'}</h2>
        <div className="field">
          <label htmlFor={ids.title}>Title</label>
          <input
            ref={titleRef}
            id={ids.title}
            value={fields.title}
            maxLength={noteLimits.titleMaxLength}
            aria-describedby={ids.titleCount}
            onChange={(event) => edit({ title: event.target.value })}
          />
          <LimitCount id={ids.titleCount} length={fields.title.length} max={noteLimits.titleMaxLength} />
        </div>
        <div className="field">
          <label htmlFor={ids.text}>Text</label>
          <textarea
            id={ids.text}
            rows={8}
            value={fields.text}
            maxLength={noteLimits.textMaxLength}
            aria-describedby={ids.textCount}
            onChange={(event) => edit({ text: event.target.value })}
          />
          <LimitCount id={ids.textCount} length={fields.text.length} max={noteLimits.textMaxLength} />
        </div>
        <div className="editor-actions">
          <button type="submit" className="button primary">
            Save
          </button>
          {editing && (
            <button type="button" className="button secondary" disabled={busy} onClick={editor.newNote}>
              New note
            </button>
          )}
          <p className="hint draft-status" role="status" aria-live="polite">
            {draftStatusText[draftStatus]}
          </p>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <p className="visually-hidden" role="status">
          {message}
        </p>
      </form>

      <section className="card" aria-labelledby="saved-notes">
        <h2 id="saved-notes">Saved notes</h2>
        {busy && loaded.notes.length > 0 && (
          <p className="hint">Save or discard your changes before opening another note.</p>
        )}
        {loaded.notes.length === 0 ? (
          <p>No saved notes yet.</p>
        ) : (
          <ul className="note-list">
            {loaded.notes.map((note) => (
              <li key={note.id}>
                <span className="note-title">{note.title || 'Untitled'}</span>{' '}
                <span className="hint">{formatClockTime(note.updatedAt)}</span>
                <span className="note-actions">
                  <button
                    type="button"
                    className="button secondary small"
                    disabled={busy}
                    aria-label={`Open ${note.title || 'Untitled'}`}
                    onClick={() => void editor.open(note.id).then((opened) => opened && titleRef.current?.focus())}
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={`Delete ${note.title || 'Untitled'}`}
                    onClick={() => void editor.remove(note)}
                  >
                    Delete
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <ImportNotes />
    </>
  );
}

/** What the restore notice says: never more than is true (decision 023). */
function restoredText(loaded: NotesData, editing: boolean, lost: LostText | undefined): string {
  const what = editing ? 'changes were' : 'note was';
  const missing =
    lost === undefined
      ? ''
      : ` Text you typed at ${formatClockTime(lost.since)} could not be kept: it never reached the server.`;
  if (!loaded.draft) return `Your unsaved ${what} restored.${missing}`;
  if (loaded.unsent) return `Your unsaved ${what} restored from this tab; saving them on the server now.${missing}`;
  const at = formatClockTime(loaded.draft.updatedAt);
  return lost === undefined
    ? `Your unsaved ${what} restored (last changed ${at}).`
    : `Your unsaved ${what} restored as last saved at ${at}.${missing}`;
}

/** Characters left, from 90 % of the limit; a clear message at it. */
function LimitCount({ id, length, max }: { id: string; length: number; max: number }) {
  const nearLimit = length >= max * 0.9;
  return (
    <span id={id} className={length >= max ? 'field-error' : 'hint'}>
      {length >= max
        ? `You have reached the limit of ${max.toLocaleString('en')} characters.`
        : nearLimit
          ? `${(max - length).toLocaleString('en')} characters left.`
          : ''}
    </span>
  );
}
