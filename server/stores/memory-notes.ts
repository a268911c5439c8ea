import type { Draft, Note } from '../../shared/contract';
import { documentKey as key } from './document-key';
import { newestFirst, type NoteStore } from './note-store';

/** The notes part of a store document (memory.ts): plain data, so Web Storage can hold it too. */
export interface NotesDocument {
  /** Per user, per note id. Optional: a document written before notes existed has none. */
  notes?: Record<string, Record<string, Note>>;
  drafts?: Record<string, { draft: Draft; expiresAt: number }>;
}

/**
 * The notes and drafts over a document store's `load` and `change` (memory.ts). Every operation
 * is synchronous inside, so each is atomic in a single-threaded runtime.
 */
export function createDocumentNotes(
  load: () => NotesDocument,
  change: <T>(update: (document: NotesDocument) => T) => T,
): NoteStore {
  const notesOf = (document: NotesDocument, username: string) => (document.notes ??= {})[key(username)] ?? {};

  return {
    async listNotes(username) {
      return Object.values(notesOf(load(), username))
        .map(({ text: _text, ...summary }) => summary)
        .sort(newestFirst);
    },
    async getNote(username, id) {
      const note = notesOf(load(), username)[key(id)];
      return note && { ...note };
    },
    async insertNote(username, note, maxNotes) {
      return change((document) => {
        const notes = notesOf(document, username);
        if (Object.keys(notes).length >= maxNotes) return false;
        notes[key(note.id)] = { ...note };
        document.notes![key(username)] = notes;
        return true;
      });
    },
    async insertNotes(username, newNotes, maxNotes) {
      return change((document) => {
        const notes = notesOf(document, username);
        if (Object.keys(notes).length + newNotes.length > maxNotes) return false;
        for (const note of newNotes) notes[key(note.id)] = { ...note };
        document.notes![key(username)] = notes;
        return true;
      });
    },
    async updateNote(username, id, baseRevision, { title, text, updatedAt }) {
      return change((document) => {
        const notes = notesOf(document, username);
        const current = notes[key(id)];
        if (!current) return { status: 'missing' as const };
        if (current.revision !== baseRevision) return { status: 'conflict' as const, current: { ...current } };
        const note = { ...current, title, text, updatedAt, revision: current.revision + 1 };
        notes[key(id)] = note;
        return { status: 'updated' as const, note: { ...note } };
      });
    },
    async deleteNote(username, id) {
      return change((document) => {
        const notes = notesOf(document, username);
        if (!notes[key(id)]) return false;
        delete notes[key(id)];
        return true;
      });
    },
    async getDraft(username, now) {
      const entry = load().drafts?.[key(username)];
      return entry && entry.expiresAt > now ? { ...entry.draft } : undefined;
    },
    async putDraft(username, draft, expiresAt) {
      change((document) => void ((document.drafts ??= {})[key(username)] = { draft: { ...draft }, expiresAt }));
    },
    async deleteDraft(username, onlyIfUpdatedAt) {
      return change((document) => {
        const entry = document.drafts?.[key(username)];
        if (entry && onlyIfUpdatedAt !== undefined && entry.draft.updatedAt !== onlyIfUpdatedAt) return false;
        delete document.drafts?.[key(username)];
        return true;
      });
    },
    async purgeDrafts(now) {
      return change((document) => {
        const drafts = document.drafts ?? {};
        const expired = Object.keys(drafts).filter((name) => drafts[name].expiresAt <= now);
        for (const name of expired) delete drafts[name];
        return expired.length;
      });
    },
  };
}
