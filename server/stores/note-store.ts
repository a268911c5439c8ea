import type { Draft, Note, NoteSummary } from '../../shared/contract';

/** The order `listNotes` returns: newest change first, then by id (every store sorts with this). */
export const newestFirst = (a: NoteSummary, b: NoteSummary) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1);

/** What `updateNote` did: a compare-and-set on the revision, in one atomic step of the store. */
export type NoteUpdate =
  { status: 'updated'; note: Note } | { status: 'missing' } | { status: 'conflict'; current: Note };

/** The change `updateNote` writes when the stored revision is still `baseRevision`. */
export interface NoteChange {
  title: string;
  text: string;
  updatedAt: number;
}

/**
 * Notes and drafts, per user (docs/decisions/016-nothing-lost.md). Every store gives this part
 * beside its sessions (`Store` in store.ts), so whichever store holds the sessions holds the notes
 * too (the mock included). Every method takes the owner's username: there is no way to name another user's note. Each store keeps
 * this part in a file of its own (memory-notes.ts, sqlite-notes.ts, redis-notes.ts).
 * Nothing here touches a session: saving a note or a draft never moves an idle deadline.
 */
export interface NoteStore {
  /**
   * The user's notes without their text, newest change first. Never reads a text: listing 200
   * notes of 20,000 characters costs what listing 200 short ones does.
   */
  listNotes(username: string): Promise<NoteSummary[]>;
  getNote(username: string, id: string): Promise<Note | undefined>;
  /** Saves a new note unless the user has `maxNotes` already (then false, nothing written). Atomic. */
  insertNote(username: string, note: Note, maxNotes: number): Promise<boolean>;
  /**
   * Saves new notes all at once, or none: false (nothing written) when they would take the user
   * past `maxNotes`. Atomic (an import, issue 23).
   */
  insertNotes(username: string, notes: Note[], maxNotes: number): Promise<boolean>;
  /** Writes `change` as revision `baseRevision + 1` if the stored revision is `baseRevision`. Atomic. */
  updateNote(username: string, id: string, baseRevision: number, change: NoteChange): Promise<NoteUpdate>;
  /** True when a note was deleted. */
  deleteNote(username: string, id: string): Promise<boolean>;

  /** The user's draft, unless none or its `expiresAt` has passed at `now`. */
  getDraft(username: string, now: number): Promise<Draft | undefined>;
  /** Replaces the user's draft; it is kept until `expiresAt`. */
  putDraft(username: string, draft: Draft, expiresAt: number): Promise<void>;
  /**
   * Deletes the user's draft; with `onlyIfUpdatedAt`, only if it is that save (compare-and-delete,
   * atomic: a newer draft from another tab stays). False when a draft stayed for that reason.
   */
  deleteDraft(username: string, onlyIfUpdatedAt?: number): Promise<boolean>;
  /** Deletes drafts whose `expiresAt` has passed; returns how many went. */
  purgeDrafts(now: number): Promise<number>;
}
