/**
 * The limits of notes, which the server enforces and the Notes editor shows; values the SPA
 * imports (like credentials.ts), re-exported by contract.ts.
 */

/** The limits of notes (issue 8): longer title or text gets 422, as does a note past the count. */
export const noteLimits = {
  titleMaxLength: 200,
  textMaxLength: 20_000,
  notesPerUser: 200,
} as const;

/**
 * Largest accepted body on the notes and draft paths, in bytes: 20,000 UTF-16 code units of text
 * are at most 60,000 bytes of UTF-8, and JSON escapes can triple a few of them.
 */
export const maxNoteBodyBytes = 128 * 1024;

/**
 * Largest accepted import (`POST /api/notes/import`), in bytes: room for the most notes there can
 * be, each with a long text (issue 23). Over it: 413, nothing stored.
 */
export const maxImportBytes = 4 * 1024 * 1024;
