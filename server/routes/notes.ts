import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  noteLimits,
  type DraftResponse,
  type ImportNotesResponse,
  type NoteResponse,
  type NotesResponse,
} from '../../shared/contract';
import type { CookieSecure } from '../session/policy';
import { isWellFormedText } from '../../shared/credentials';
import { readJsonBody } from '../http/body';
import { readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { errorResponse, unauthenticatedResponse } from '../http/errors';
import { createNotesImport } from '../notes/import';
import { isNoteId, noteLimitProblem, type LimitProblem, type Notes } from '../notes/notes';
import type { SessionsOf } from '../session/session-lifecycle';

// Well-formed UTF-16 only, as for usernames: a lone surrogate cannot be stored as UTF-8 without
// turning into U+FFFD, so the note would come back changed (and then over its limit).
const title = z
  .string({ error: 'title must be a string.' })
  .refine(isWellFormedText, 'title must be valid Unicode text (it has a broken character).');
const text = z
  .string({ error: 'text must be a string.' })
  .refine(isWellFormedText, 'text must be valid Unicode text (it has a broken character).');
const revision = z.number({ error: 'baseRevision must be a whole number.' }).int().min(1);

const newNoteBody = z.strictObject({ title, text });
const noteUpdateBody = z.strictObject({ title, text, baseRevision: revision });
const draftBody = z
  .strictObject({
    noteId: z.string({ error: 'noteId must be a string or null.' }).nullable(),
    baseRevision: revision.nullable(),
    title,
    text,
    sessionId: z.string({ error: 'sessionId must be the public id of the session the editor began in.' }),
  })
  .refine((draft) => (draft.noteId === null) === (draft.baseRevision === null), {
    message: 'noteId and baseRevision are both set (a saved note) or both null (a new note).',
    path: ['baseRevision'],
  });

/** A query value that is a whole number (no sign, no fraction), else null. */
function wholeNumber(value: string): number | null {
  return /^\d{1,16}$/.test(value) ? Number(value) : null;
}

/**
 * `/api/notes` and `/api/draft`: the signed-in user's notes and draft. Every route reads the
 * session without extending it (`resume`): saving is not activity. Another user's note answers
 * 404, as an unknown one does, so ids say nothing.
 */
export function notesRoutes(sessionsOf: SessionsOf<Context<AppEnv>>, notes: Notes, cookieMode: CookieSecure) {
  const app = new Hono<AppEnv>();

  /**
   * The signed-in user's name, or the 401 to answer with (`session_revoked` for a session ended
   * from another one, as every route says it).
   */
  async function owner(c: Context<AppEnv>): Promise<string | Response> {
    const current = await sessionsOf(c).resume(readSessionCookie(c, cookieMode));
    return current.live ? current.user.username : unauthenticatedResponse(c, current.revoked);
  }

  /**
   * For draft writes: the user's name when the cookie's session is the one the request names (the
   * session the editor began in), else the answer: 401 when it is not live, 409
   * `session_mismatch` when this browser has signed in again since (perhaps as someone else).
   * Nothing is written either way (docs/decisions/023-drafts-bound-to-their-session.md).
   */
  async function draftOwner(c: Context<AppEnv>, sessionId: string): Promise<string | Response> {
    const current = await sessionsOf(c).resume(readSessionCookie(c, cookieMode));
    if (!current.live) return unauthenticatedResponse(c, current.revoked);
    if (current.record.publicId !== sessionId) {
      return errorResponse(
        c,
        409,
        'session_mismatch',
        'This draft belongs to an earlier sign-in in this browser; nothing was changed.',
      );
    }
    return current.user.username;
  }

  const noSuchNote = (c: Context) => errorResponse(c, 404, 'not_found', 'There is no such note.');
  const overLimit = (c: Context, { field, message }: LimitProblem) =>
    errorResponse(c, 422, 'limit_exceeded', message, field ? { field } : {});

  app.get('/notes', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    return c.json({ notes: await notes.list(username) } satisfies NotesResponse);
  });

  app.post('/notes', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    const body = await readJsonBody(c, newNoteBody);
    if (!body.ok) return body.response;
    const problem = noteLimitProblem(body.value);
    if (problem) return overLimit(c, problem);
    const created = await notes.create(username, body.value);
    if (!created.ok) return overLimit(c, created.problem);
    return c.json({ note: created.note } satisfies NoteResponse, 201);
  });

  // The body is the file, read as it streams in (the size limit is the app's, maxImportBytes).
  app.post('/notes/import', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
    if (mediaType !== 'text/plain' && mediaType !== 'text/markdown') {
      return errorResponse(c, 415, 'unsupported_media_type', 'Send the file as text/plain or text/markdown (UTF-8).');
    }
    const room = noteLimits.notesPerUser - (await notes.list(username)).length;
    const parser = createNotesImport(room);
    const reader = c.req.raw.body?.getReader();
    // After the first bad line the rest is still read (and dropped), so the browser gets the 422
    // rather than a connection cut in the middle of its upload.
    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader!.read()) parser.push(chunk.value);
    const result = parser.finish();
    if (!result.ok) {
      const { line, message } = result.problem;
      return errorResponse(c, 422, 'invalid_import', `${message} Nothing was imported.`, { line });
    }
    const made = await notes.importNotes(username, result.notes);
    if (!made) {
      return errorResponse(
        c,
        422,
        'limit_exceeded',
        `You can have at most ${noteLimits.notesPerUser} notes. Nothing was imported.`,
      );
    }
    return c.json({ notes: made.map(({ text: _text, ...summary }) => summary) } satisfies ImportNotesResponse, 201);
  });
  app.all('/notes/import', (c) => {
    c.header('Allow', 'POST');
    return errorResponse(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here; use POST.`);
  });

  app.get('/notes/:id', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    const id = c.req.param('id');
    const note = isNoteId(id) ? await notes.get(username, id) : undefined;
    return note ? c.json({ note } satisfies NoteResponse) : noSuchNote(c);
  });

  app.put('/notes/:id', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    const id = c.req.param('id');
    if (!isNoteId(id)) return noSuchNote(c);
    const body = await readJsonBody(c, noteUpdateBody);
    if (!body.ok) return body.response;
    const problem = noteLimitProblem(body.value);
    if (problem) return overLimit(c, problem);
    const result = await notes.update(username, id, body.value);
    if (result.status === 'missing') return noSuchNote(c);
    if (result.status === 'conflict') {
      return errorResponse(c, 409, 'conflict', 'This note was changed in another tab or window since you opened it.', {
        current: result.current,
      });
    }
    return c.json({ note: result.note } satisfies NoteResponse);
  });

  app.delete('/notes/:id', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    const id = c.req.param('id');
    return isNoteId(id) && (await notes.remove(username, id)) ? c.body(null, 204) : noSuchNote(c);
  });

  app.get('/draft', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    return c.json({ draft: (await notes.getDraft(username)) ?? null } satisfies DraftResponse);
  });

  app.put('/draft', async (c) => {
    // The body first: which session the draft belongs to is in it.
    const body = await readJsonBody(c, draftBody);
    if (!body.ok) {
      const username = await owner(c);
      return username instanceof Response ? username : body.response;
    }
    const { sessionId, ...request } = body.value;
    const username = await draftOwner(c, sessionId);
    if (username instanceof Response) return username;
    const problem = noteLimitProblem(request);
    if (problem) return overLimit(c, problem);
    const { noteId } = request;
    if (noteId !== null && !isNoteId(noteId)) return noSuchNote(c);
    const saved = await notes.saveDraft(username, request);
    return saved.ok ? c.json({ draft: saved.draft } satisfies DraftResponse) : noSuchNote(c);
  });

  /**
   * `?session=<public id>` as for saves; `&updatedAt=<ms>` deletes only that save of the draft,
   * so a tab that saved its note never deletes a newer draft another tab wrote (409 `draft_changed`).
   */
  app.delete('/draft', async (c) => {
    const sessionId = c.req.query('session');
    const updatedAtParam = c.req.query('updatedAt');
    const onlyIfUpdatedAt = updatedAtParam === undefined ? undefined : wholeNumber(updatedAtParam);
    if (sessionId === undefined || onlyIfUpdatedAt === null) {
      const username = await owner(c);
      if (username instanceof Response) return username;
      return errorResponse(
        c,
        400,
        'bad_request',
        sessionId === undefined
          ? 'session (the public id of the session the editor began in) is required.'
          : 'updatedAt must be a whole number of milliseconds.',
        { field: sessionId === undefined ? 'session' : 'updatedAt' },
      );
    }
    const username = await draftOwner(c, sessionId);
    if (username instanceof Response) return username;
    if (await notes.discardDraft(username, onlyIfUpdatedAt)) return c.body(null, 204);
    return errorResponse(c, 409, 'draft_changed', 'A newer draft was saved since; it was kept.');
  });

  return app;
}
