import { useEffect, useId, useRef, useState } from 'react';
import { useLoaderData, useRevalidator } from 'react-router';
import type { Draft, Note, NoteSummary } from '../../../shared/contract';
import { noteLimits } from '../../../shared/note-limits';
import { formatClockTime } from '../../lib/duration';
import { useAuthStore } from '../auth';
import { useSessionSnapshot } from '../session';
import { createDraftSaver, type DraftSaver, type DraftStatus } from './draft-saver';
import { registerEditor, type EditorFields } from './editor-session';
import { notesApi, saveDraft } from './notes-api';

/** The user's notes and draft; the draft's note too, when it is a change to a saved one. */
export async function notesLoader() {
  const [list, draft] = await Promise.all([notesApi.list(), notesApi.getDraft()]);
  const restored = draft.ok ? draft.data.draft : null;
  // A draft of a note deleted since is kept as a new note: its text is not lost.
  const draftNote = restored?.noteId ? await notesApi.get(restored.noteId) : undefined;
  const draftOf: Draft | null =
    restored && restored.noteId && !draftNote?.ok ? { ...restored, noteId: null, baseRevision: null } : restored;
  return { notes: list.ok ? list.data.notes : [], draft: draftOf };
}

const emptyEditor: EditorFields = { noteId: null, baseRevision: null, title: '', text: '' };

const draftStatusText: Record<DraftStatus, string> = {
  idle: '',
  pending: 'Unsaved changes',
  saving: 'Saving draft…',
  saved: 'Draft saved on the server',
  retrying: 'Draft not saved yet, retrying',
  refused: 'Draft not saved: the server refused it',
};

/**
 * Notes (docs/decisions/016-nothing-lost.md): the saved notes, newest first, and one editor.
 * Unsaved edits go to the server as a draft while typing, at once when the idle warning opens,
 * and once more as the session ends; after signing in again they come back here.
 */
export function NotesPage() {
  const loaded = useLoaderData<typeof notesLoader>();
  const revalidator = useRevalidator();
  const auth = useAuthStore();
  const { phase } = useSessionSnapshot();
  const [fields, setFields] = useState<EditorFields>(loaded.draft ?? emptyEditor);
  const [restored, setRestored] = useState(loaded.draft !== null);
  const [draftStatus, setDraftStatus] = useState<DraftStatus>('idle');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [conflict, setConflict] = useState<Note | undefined>();
  const [saver] = useState<DraftSaver>(() => createDraftSaver({ send: saveDraft, onStatus: setDraftStatus }));
  // The fields as of the last change, for handlers that run before React re-renders.
  const fieldsRef = useRef(fields);
  const setEditor = (next: EditorFields) => {
    fieldsRef.current = next;
    setFields(next);
  };
  const titleRef = useRef<HTMLInputElement>(null);
  const ids = { title: useId(), text: useId(), textCount: useId(), titleCount: useId(), editor: useId() };

  const hasDraft = () => saver.hasUnsaved() || restored || draftStatus !== 'idle';

  // The warning opened: the draft goes to the server now, not a second later.
  useEffect(() => {
    if (phase === 'warning') void saver.flush();
  }, [phase, saver]);

  // An idle, absolute or server-ended sign-out: one last save with keepalive, then nothing more
  // (never under the next user's session). The explicit Sign out asks first (sign-out-button.tsx).
  useEffect(() => {
    const stopListening = auth.onSignOut(({ reason }) =>
      reason === 'signed-out' || reason === 'other-tab' ? saver.stop() : saver.flushOnExit(),
    );
    const unregister = registerEditor({
      hasDraft,
      keepDraft: () => saver.flush(),
      dropDraft: () => {
        saver.stop();
        return saver.settled();
      },
    });
    return () => {
      stopListening();
      unregister();
    };
  });
  // Leaving the page: what is not saved yet goes out once, with keepalive.
  useEffect(() => {
    saver.start();
    return () => saver.flushOnExit();
  }, [saver]);

  function edit(change: Partial<EditorFields>) {
    const next = { ...fieldsRef.current, ...change };
    setEditor(next);
    setMessage('');
    saver.change(next);
  }

  function startOver(next: EditorFields) {
    saver.clear();
    setEditor(next);
    setRestored(false);
    setConflict(undefined);
    setError('');
  }

  async function open(id: string) {
    const result = await notesApi.get(id);
    if (!result.ok) return setError('This note could not be opened. It may have been deleted.');
    const { note } = result.data;
    startOver({ noteId: note.id, baseRevision: note.revision, title: note.title, text: note.text });
    setMessage(`Opened “${note.title || 'Untitled'}”.`);
    titleRef.current?.focus();
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    const { noteId, baseRevision, title, text } = fieldsRef.current;
    const result =
      noteId === null || baseRevision === null
        ? await notesApi.create({ title, text })
        : await notesApi.update(noteId, { title, text, baseRevision });
    if (result.ok) {
      const { note } = result.data;
      startOver({ noteId: note.id, baseRevision: note.revision, title: note.title, text: note.text });
      await saver.settled();
      await notesApi.discardDraft();
      setMessage(`Saved “${note.title || 'Untitled'}”.`);
      revalidator.revalidate();
      return;
    }
    if (result.status === 409 && result.error.current) {
      // The draft stays on the server: nothing is lost while the user decides.
      setConflict(result.error.current);
      return;
    }
    setError(result.error.message);
  }

  async function discardDraft() {
    const { noteId } = fieldsRef.current;
    saver.clear();
    await saver.settled();
    await notesApi.discardDraft();
    const saved = noteId ? await notesApi.get(noteId) : undefined;
    const note = saved?.ok ? saved.data.note : undefined;
    startOver(
      note ? { noteId: note.id, baseRevision: note.revision, title: note.title, text: note.text } : emptyEditor,
    );
    setMessage('Draft discarded.');
    titleRef.current?.focus();
  }

  async function remove(note: NoteSummary) {
    const result = await notesApi.remove(note.id);
    if (!result.ok && result.status !== 404) return setError(result.error.message);
    if (fieldsRef.current.noteId === note.id) {
      saver.clear();
      await saver.settled();
      await notesApi.discardDraft();
      startOver(emptyEditor);
    }
    setMessage(`Deleted “${note.title || 'Untitled'}”.`);
    revalidator.revalidate();
  }

  /** Keep mine: my text, on top of the newer revision; the next Save stores it deliberately. */
  function keepMine(current: Note) {
    edit({ baseRevision: current.revision });
    setConflict(undefined);
    setMessage('Your version is kept. Save to store it over the other one.');
  }

  function takeTheirs(current: Note) {
    edit({ noteId: current.id, baseRevision: current.revision, title: current.title, text: current.text });
    setConflict(undefined);
    setMessage('The other version is now in the editor.');
  }

  const editing = fields.noteId !== null;
  const busy = saver.hasUnsaved() || restored;
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
          <p>
            Your unsaved {editing ? 'changes were' : 'note was'} restored
            {loaded.draft ? ` (last changed ${formatClockTime(loaded.draft.updatedAt)})` : ''}.
          </p>
          <button type="button" className="button secondary small" onClick={() => void discardDraft()}>
            Discard draft
          </button>
        </div>
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
            <button type="button" className="button primary" onClick={() => keepMine(conflict)}>
              Keep mine
            </button>
            <button type="button" className="button secondary" onClick={() => takeTheirs(conflict)}>
              Use the newer text
            </button>
          </div>
        </section>
      )}

      <form className="card notes-editor" aria-labelledby={ids.editor} onSubmit={(event) => void save(event)}>
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
            <button type="button" className="button secondary" disabled={busy} onClick={() => startOver(emptyEditor)}>
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
                    onClick={() => void open(note.id)}
                  >
                    Open
                  </button>
                  <button
                    type="button"
                    className="button secondary small"
                    aria-label={`Delete ${note.title || 'Untitled'}`}
                    onClick={() => void remove(note)}
                  >
                    Delete
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
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
