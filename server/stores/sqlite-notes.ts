import type Database from 'better-sqlite3';
import type { Draft, Note, NoteSummary } from '../../shared/contract';
import type { NoteStore } from './note-store';

interface NoteRow {
  id: string;
  title: string;
  text: string;
  revision: number;
  updated_at: number;
}

interface DraftRow {
  note_id: string | null;
  base_revision: number | null;
  title: string;
  text: string;
  updated_at: number;
}

const toNote = (row: NoteRow): Note => ({
  id: row.id,
  title: row.title,
  text: row.text,
  revision: row.revision,
  updatedAt: row.updated_at,
});

const toSummary = (row: Omit<NoteRow, 'text'>): NoteSummary => ({
  id: row.id,
  title: row.title,
  revision: row.revision,
  updatedAt: row.updated_at,
});

const toDraft = (row: DraftRow): Draft => ({
  noteId: row.note_id,
  baseRevision: row.base_revision,
  title: row.title,
  text: row.text,
  updatedAt: row.updated_at,
});

/**
 * The notes and drafts in the SQLite store's file (sqlite.ts): tables of their own, so the
 * sessions table and its statements stay as they are. `write` is the store's group commit.
 */
export function createSqliteNotes(db: Database.Database, write: <T>(run: () => T) => Promise<T>): NoteStore {
  db.exec(`
    CREATE TABLE IF NOT EXISTS notes (
      username TEXT NOT NULL,
      id TEXT NOT NULL,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      revision INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (username, id)
    ) STRICT;
    CREATE TABLE IF NOT EXISTS drafts (
      username TEXT PRIMARY KEY,
      note_id TEXT,
      base_revision INTEGER,
      title TEXT NOT NULL,
      text TEXT NOT NULL,
      updated_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS drafts_expires_at ON drafts (expires_at);
  `);

  // No `text`: the list shows titles, and a text may be 20,000 characters (issue 20).
  const selectNotes = db.prepare<[string], Omit<NoteRow, 'text'>>(
    'SELECT id, title, revision, updated_at FROM notes WHERE username = ? ORDER BY updated_at DESC, id',
  );
  const selectNote = db.prepare<[string, string], NoteRow>(
    'SELECT id, title, text, revision, updated_at FROM notes WHERE username = ? AND id = ?',
  );
  // The count and the insert in one statement: two requests at once cannot pass the limit.
  const insertNote = db.prepare(`
    INSERT INTO notes (username, id, title, text, revision, updated_at)
    SELECT @username, @id, @title, @text, @revision, @updatedAt
    WHERE (SELECT count(*) FROM notes WHERE username = @username) < @maxNotes
  `);
  const countNotes = db.prepare<[string], { count: number }>('SELECT count(*) AS count FROM notes WHERE username = ?');
  const insertAnyNote = db.prepare(`
    INSERT INTO notes (username, id, title, text, revision, updated_at)
    VALUES (@username, @id, @title, @text, @revision, @updatedAt)
  `);
  // Compare-and-set on the revision in one statement.
  const updateNote = db.prepare<[string, string, number, string, string, number], NoteRow>(`
    UPDATE notes SET title = ?, text = ?, updated_at = ?, revision = revision + 1
    WHERE username = ? AND id = ? AND revision = ?
    RETURNING id, title, text, revision, updated_at
  `);
  const deleteNote = db.prepare('DELETE FROM notes WHERE username = ? AND id = ?');
  const selectDraft = db.prepare<[string, number], DraftRow>(
    'SELECT note_id, base_revision, title, text, updated_at FROM drafts WHERE username = ? AND expires_at > ?',
  );
  const upsertDraft = db.prepare(`
    INSERT OR REPLACE INTO drafts (username, note_id, base_revision, title, text, updated_at, expires_at)
    VALUES (@username, @noteId, @baseRevision, @title, @text, @updatedAt, @expiresAt)
  `);
  const deleteDraft = db.prepare('DELETE FROM drafts WHERE username = ?');
  // Deletes that save only; a newer one (another tab's) stays.
  const deleteDraftIf = db.prepare('DELETE FROM drafts WHERE username = ? AND updated_at = ?');
  const draftExists = db.prepare<[string], { found: number }>('SELECT 1 AS found FROM drafts WHERE username = ?');
  const purgeDrafts = db.prepare('DELETE FROM drafts WHERE expires_at <= ?');

  return {
    async listNotes(username) {
      return selectNotes.all(username).map(toSummary);
    },
    async getNote(username, id) {
      const row = selectNote.get(username, id);
      return row && toNote(row);
    },
    async insertNote(username, note, maxNotes) {
      return write(() => insertNote.run({ username, ...note, maxNotes }).changes === 1);
    },
    async insertNotes(username, notes, maxNotes) {
      return write(() => {
        // Inside one savepoint of the group commit: the count and the inserts see nothing else.
        if (countNotes.get(username)!.count + notes.length > maxNotes) return false;
        for (const note of notes) insertAnyNote.run({ username, ...note });
        return true;
      });
    },
    async updateNote(username, id, baseRevision, { title, text, updatedAt }) {
      return write(() => {
        // Inside one savepoint of the group commit: nothing else writes between these two.
        const row = updateNote.get(title, text, updatedAt, username, id, baseRevision);
        if (row) return { status: 'updated' as const, note: toNote(row) };
        const current = selectNote.get(username, id);
        return current ? { status: 'conflict' as const, current: toNote(current) } : { status: 'missing' as const };
      });
    },
    async deleteNote(username, id) {
      return write(() => deleteNote.run(username, id).changes === 1);
    },
    async getDraft(username, now) {
      const row = selectDraft.get(username, now);
      return row && toDraft(row);
    },
    async putDraft(username, draft, expiresAt) {
      await write(() => upsertDraft.run({ username, ...draft, expiresAt }));
    },
    async deleteDraft(username, onlyIfUpdatedAt) {
      return write(() => {
        if (onlyIfUpdatedAt === undefined) {
          deleteDraft.run(username);
          return true;
        }
        // One synchronous step: no other write can come between the delete and the check.
        return deleteDraftIf.run(username, onlyIfUpdatedAt).changes === 1 || draftExists.get(username) === undefined;
      });
    },
    async purgeDrafts(now) {
      return write(() => purgeDrafts.run(now).changes);
    },
  };
}
