import type { Draft, NoteSummary } from '../../../shared/contract';
import type { AuthStore } from '../auth';
import type { EditorFields } from './editor-session';
import { notesApi } from './notes-api';
import { lostText, type LostText } from './lost-text';
import { unsentDraft } from './unsent-draft';

/** What the Notes page starts from: for one session, the user's notes and draft. */
export interface NotesData {
  /** The session this was loaded for: the page shows it only while that is the tab's session. */
  sessionId: string;
  username: string;
  notes: NoteSummary[];
  /** The draft to restore, if any. */
  draft: Draft | null;
  /** True when that draft is text this tab held and the server does not have yet: the editor sends it. */
  unsent: boolean;
  /**
   * Text this user typed in another page of this browser that never reached the server (the
   * page closed offline, another user signed in on it, or the server refused it): since when,
   * for the restore to say part is missing instead of claiming all (lost-text.ts).
   */
  lost: LostText | undefined;
}

/** The editor's fields of a draft: exactly what a draft save sends, nothing of the server's. */
export const editorFieldsOf = ({ noteId, baseRevision, title, text }: Draft): EditorFields => ({
  noteId,
  baseRevision,
  title,
  text,
});

/**
 * The user's notes and draft; the draft's note too, when it is a change to a saved one. Text this
 * tab still holds for the user (unsent-draft.ts) lands first, so the draft read is the newest.
 */
export async function notesLoader(auth: AuthStore): Promise<NotesData | null> {
  await auth.ready;
  const state = auth.getState();
  if (state.status !== 'signed-in') return null;
  await unsentDraft.settled();
  // Text this tab could not deliver yet (offline): the editor takes it back and keeps trying.
  const held = unsentDraft.take(state.user.username);
  const [list, draft] = await Promise.all([notesApi.list(), notesApi.getDraft()]);
  const restored = draft.ok ? draft.data.draft : null;
  // A draft of a note deleted since is kept as a new note: its text is not lost.
  const draftNote = restored?.noteId ? await notesApi.get(restored.noteId) : undefined;
  const draftOf: Draft | null =
    restored && restored.noteId && !draftNote?.ok ? { ...restored, noteId: null, baseRevision: null } : restored;
  const restoring = held ? { ...held, updatedAt: Date.now() } : draftOf;
  return {
    sessionId: state.sessionId,
    username: state.user.username,
    notes: list.ok ? list.data.notes : [],
    draft: restoring,
    unsent: held !== undefined,
    // Text this tab holds in memory proves nothing reached the server: only a draft read from it does.
    lost: lostText.lost(state.user.username, held ? null : draftOf && editorFieldsOf(draftOf)),
  };
}
