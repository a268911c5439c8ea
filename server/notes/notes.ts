import type { Draft, DraftRequest, NewNoteRequest, Note, NoteUpdateRequest } from '../../shared/contract';
import { noteLimits } from '../../shared/contract';
import type { SessionConfig } from '../session/policy';
import type { Clock } from '../session/clock';
import type { NoteStore, NoteUpdate } from '../stores/note-store';

/** A limit a note or draft goes over: the field at fault, or the count of notes. */
export interface LimitProblem {
  field?: 'title' | 'text';
  message: string;
}

/** Why a title and text are refused, or undefined when they fit (422 `limit_exceeded`). */
export function noteLimitProblem({ title, text }: NewNoteRequest): LimitProblem | undefined {
  if (title.length > noteLimits.titleMaxLength) {
    return { field: 'title', message: `The title can be at most ${noteLimits.titleMaxLength} characters.` };
  }
  if (text.length > noteLimits.textMaxLength) {
    return { field: 'text', message: `The text can be at most ${noteLimits.textMaxLength} characters.` };
  }
  return undefined;
}

/** Note ids: 16 random bytes as hex. Anything else names no note (404, like another user's id). */
const noteIdPattern = /^[0-9a-f]{32}$/;
export const isNoteId = (id: string) => noteIdPattern.test(id);

function newNoteId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export type CreateResult = { ok: true; note: Note } | { ok: false; problem: LimitProblem };
export type DraftResult = { ok: true; draft: Draft } | { ok: false; reason: 'unknown_note' };

/**
 * The rules of notes and drafts, with no HTTP: every call names the owner, taken from the
 * session by the route. Nothing here reads or moves a session (a save is not activity).
 */
export function createNotes({ store, clock, config }: { store: NoteStore; clock: Clock; config: SessionConfig }) {
  return {
    list: (username: string) => store.listNotes(username),

    get: (username: string, id: string) => store.getNote(username, id),

    async create(username: string, { title, text }: NewNoteRequest): Promise<CreateResult> {
      const note: Note = { id: newNoteId(), title, text, revision: 1, updatedAt: clock.now() };
      if (await store.insertNote(username, note, noteLimits.notesPerUser)) return { ok: true, note };
      return {
        ok: false,
        problem: { message: `You have ${noteLimits.notesPerUser} notes, the most there can be. Delete one first.` },
      };
    },

    /** Stores every imported note, or none (false) when they would take the user past the count. */
    async importNotes(username: string, imported: NewNoteRequest[]): Promise<Note[] | undefined> {
      const now = clock.now();
      // The file's order, newest first in the list: the first note of the file ends up on top.
      const made = imported.map(({ title, text }, index): Note => {
        return { id: newNoteId(), title, text, revision: 1, updatedAt: now + imported.length - 1 - index };
      });
      return (await store.insertNotes(username, made, noteLimits.notesPerUser)) ? made : undefined;
    },

    update(username: string, id: string, { title, text, baseRevision }: NoteUpdateRequest): Promise<NoteUpdate> {
      return store.updateNote(username, id, baseRevision, { title, text, updatedAt: clock.now() });
    },

    remove: (username: string, id: string) => store.deleteNote(username, id),

    getDraft: (username: string) => store.getDraft(username, clock.now()),

    /** Keeps the draft `draftRetentionMs` from now. A draft of a saved note must name one of the user's. */
    async saveDraft(username: string, request: DraftRequest): Promise<DraftResult> {
      if (request.noteId !== null && !(await store.getNote(username, request.noteId))) {
        return { ok: false, reason: 'unknown_note' };
      }
      const now = clock.now();
      const draft: Draft = { ...request, updatedAt: now };
      await store.putDraft(username, draft, now + config.draftRetentionMs);
      return { ok: true, draft };
    },

    /** Deletes the draft, or with `onlyIfUpdatedAt` only that save of it; false when a newer one stayed. */
    discardDraft: (username: string, onlyIfUpdatedAt?: number) => store.deleteDraft(username, onlyIfUpdatedAt),
  };
}

export type Notes = ReturnType<typeof createNotes>;
