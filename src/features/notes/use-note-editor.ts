import { useEffect, useRef, useState } from 'react';
import { useRevalidator } from 'react-router';
import type { Note, NoteSummary } from '../../../shared/contract';
import { useAuthStore } from '../auth';
import { useSessionSnapshot, type SessionSnapshot } from '../session';
import { createDraftSaver, type DraftSaver, type DraftStatus } from './draft-saver';
import { registerEditor, type EditorFields } from './editor-session';
import { notesApi, saveDraft } from './notes-api';
import { lostText } from './lost-text';
import { editorFieldsOf, type NotesData } from './notes-loader';
import { unsentDraft } from './unsent-draft';

/** The editor follows the session's phase only: a heartbeat answer does not render it. */
const phaseOnly = ({ phase }: SessionSnapshot) => ({ phase });

export const emptyEditor: EditorFields = { noteId: null, baseRevision: null, title: '', text: '' };

/**
 * The Notes editor's state and every rule about it (docs/decisions/016-nothing-lost.md, 023): the
 * fields, the draft saver bound to the session the page was loaded for, and the flows that save,
 * discard, open and delete. The page (notes-page.tsx) only renders what this returns.
 *
 * When the draft goes to the server: ~1 s after the last change, at once when the warning opens,
 * when the page is hidden or closed (`pagehide`, with `keepalive`), and when the browser is back
 * online. What the server does not have when the session ends or the page is left goes to this
 * tab's unsent draft (unsent-draft.ts), which delivers it or keeps it for the same user.
 */
export function useNoteEditor(loaded: NotesData) {
  const revalidator = useRevalidator();
  const auth = useAuthStore();
  const { phase } = useSessionSnapshot(phaseOnly);
  const { sessionId, username } = loaded;
  const initial = loaded.draft ? editorFieldsOf(loaded.draft) : emptyEditor;
  const [fields, setFields] = useState<EditorFields>(initial);
  const [restored, setRestored] = useState(loaded.draft !== null);
  // What this page said was lost, as it landed: data loaded again later (a save, a delete) may
  // hold a newer loss, which this page never showed and must not acknowledge (lost-text.ts).
  const [lost] = useState(loaded.lost);
  const [landedWithoutDraft] = useState(loaded.draft === null);
  const [draftStatus, setDraftStatus] = useState<DraftStatus>('idle');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [conflict, setConflict] = useState<Note | undefined>();
  const [saver] = useState<DraftSaver>(() =>
    createDraftSaver({
      send: (draft) => saveDraft({ ...draft, sessionId }),
      onStatus(status) {
        setDraftStatus(status);
        if (status === 'saved') lostText.markDelivered(username);
        // Not on the server yet (retrying) or not accepted (refused: a limit, shown in the editor):
        // if the page goes now, that text is lost.
        if (status === 'retrying' || status === 'refused') lostText.markUndelivered(username);
        unsentDraft.setEditorBehind(status === 'retrying');
      },
      onEnded: (unsent, after) => unsentDraft.hold(username, sessionId, unsent, after),
      savedAt: loaded.unsent ? undefined : loaded.draft?.updatedAt,
    }),
  );
  // The fields as of the last change, for handlers that run before React re-renders.
  const fieldsRef = useRef(fields);
  const setEditor = (next: EditorFields) => {
    fieldsRef.current = next;
    setFields(next);
  };

  const hasDraft = () => saver.hasUnsaved() || restored || draftStatus !== 'idle';

  // Text this tab held and the server does not have yet: it is unsaved again, here.
  useEffect(() => {
    if (loaded.unsent) saver.change(fieldsRef.current);
  }, [loaded.unsent, saver]);

  // The warning opened: the draft goes to the server now, not a second later.
  useEffect(() => {
    if (phase === 'warning') void saver.flush();
  }, [phase, saver]);

  useEffect(() => {
    // Any sign-out: what the server does not have goes to the unsent draft, for this user only
    // (an explicit Sign out asked first, sign-out-button.tsx; Discard stopped the saver).
    const stopListening = auth.onSignOut(() => saver.end());
    const unregister = registerEditor({
      hasDraft,
      keepDraft: () => saver.flush(),
      dropDraft: () => {
        saver.stop();
        unsentDraft.drop();
        // Discarded on purpose: nothing of this page's is owed to the server, so nothing is lost.
        lostText.markDelivered(username);
        return saver.settled();
      },
    });
    return () => {
      stopListening();
      unregister();
    };
  });

  // The saver lives as long as the page; leaving it hands what is unsaved to the unsent draft.
  useEffect(() => {
    saver.start();
    // Hidden or closing: send now (with keepalive); back online: send what waited.
    const flush = () => void saver.flush();
    const hidden = () => {
      if (document.visibilityState === 'hidden') flush();
    };
    const pageHide = () => {
      // The newest text goes now, also beside an older save still on its way.
      saver.flushAsPageGoes();
      if (!saver.hasUnsaved()) return;
      // Lost until a restore shows exactly this text: offline it cannot arrive; online its save
      // may fail unseen (the session ended, the server errs, it was too long for keepalive and
      // the browser cancelled it), or an older save may land after it.
      lostText.markUndelivered(username);
      if (navigator.onLine) lostText.markSupersededBy(username, fieldsRef.current);
    };
    window.addEventListener('online', flush);
    window.addEventListener('pagehide', pageHide);
    document.addEventListener('visibilitychange', hidden);
    return () => {
      window.removeEventListener('online', flush);
      window.removeEventListener('pagehide', pageHide);
      document.removeEventListener('visibilitychange', hidden);
      saver.end();
      unsentDraft.setEditorBehind(false);
    };
  }, [saver, username]);

  /**
   * The user went on working on a page that said text was lost: they have seen it, and the
   * losses it showed are not said again (lost-text.ts). Once per page.
   */
  const acknowledged = useRef(false);
  const acknowledgeLoss = () => {
    if (acknowledged.current || !lost) return;
    acknowledged.current = true;
    lostText.acknowledge(username, lost.keys);
  };

  function edit(change: Partial<EditorFields>) {
    acknowledgeLoss();
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

  /**
   * Deletes the server's draft if it is still the one this editor saved or restored (a newer one
   * from another tab stays: 409 `draft_changed`). After it, no save of this editor is on its way.
   */
  async function discardOwnDraft() {
    await saver.settled();
    const savedAt = saver.savedAt();
    saver.clear();
    lostText.markDelivered(username);
    acknowledgeLoss();
    if (savedAt !== undefined) await notesApi.discardDraft(sessionId, savedAt);
  }

  const noteFields = (note: Note): EditorFields => ({
    noteId: note.id,
    baseRevision: note.revision,
    title: note.title,
    text: note.text,
  });

  return {
    fields,
    restored,
    /** What the page says was lost (as it landed), and whether on its own (no draft was restored). */
    lost,
    lostAlone: landedWithoutDraft && lost !== undefined,
    draftStatus,
    message,
    error,
    conflict,
    /** Open and New note wait while the editor holds changes. */
    busy: saver.hasUnsaved() || restored,
    edit,

    async open(id: string) {
      const result = await notesApi.get(id);
      if (!result.ok) return setError('This note could not be opened. It may have been deleted.');
      startOver(noteFields(result.data.note));
      setMessage(`Opened “${result.data.note.title || 'Untitled'}”.`);
      return true;
    },

    newNote: () => startOver(emptyEditor),

    async save() {
      const { noteId, baseRevision, title, text } = fieldsRef.current;
      const result =
        noteId === null || baseRevision === null
          ? await notesApi.create({ title, text })
          : await notesApi.update(noteId, { title, text, baseRevision });
      if (result.ok) {
        const { note } = result.data;
        await discardOwnDraft();
        startOver(noteFields(note));
        setMessage(`Saved “${note.title || 'Untitled'}”.`);
        void revalidator.revalidate();
        return;
      }
      if (result.status === 409 && result.error.current) {
        // The draft stays on the server: nothing is lost while the user decides.
        setConflict(result.error.current);
        return;
      }
      setError(result.error.message);
    },

    async discardDraft() {
      const { noteId } = fieldsRef.current;
      await discardOwnDraft();
      const saved = noteId ? await notesApi.get(noteId) : undefined;
      startOver(saved?.ok ? noteFields(saved.data.note) : emptyEditor);
      setMessage('Draft discarded.');
    },

    async remove(note: NoteSummary) {
      const result = await notesApi.remove(note.id);
      if (!result.ok && result.status !== 404) return setError(result.error.message);
      if (fieldsRef.current.noteId === note.id) {
        await discardOwnDraft();
        startOver(emptyEditor);
      }
      setMessage(`Deleted “${note.title || 'Untitled'}”.`);
      void revalidator.revalidate();
    },

    /** Keep mine: my text, on top of the newer revision; the next Save stores it deliberately. */
    keepMine(current: Note) {
      edit({ baseRevision: current.revision });
      setConflict(undefined);
      setMessage('Your version is kept. Save to store it over the other one.');
    },

    takeTheirs(current: Note) {
      edit(noteFields(current));
      setConflict(undefined);
      setMessage('The other version is now in the editor.');
    },
  };
}

export type NoteEditor = ReturnType<typeof useNoteEditor>;
