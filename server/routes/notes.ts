import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { DraftResponse, NoteResponse, NotesResponse } from '../../shared/contract';
import type { CookieSecure } from '../config';
import { isWellFormedText } from '../../shared/credentials';
import { readJsonBody } from '../http/body';
import { readSessionCookie } from '../http/cookies';
import type { AppEnv } from '../http/env';
import { errorResponse, unauthenticatedResponse } from '../http/errors';
import { isNoteId, noteLimitProblem, type LimitProblem, type Notes } from '../notes/notes';
import type { Sessions } from '../session/sessions';

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
  })
  .refine((draft) => (draft.noteId === null) === (draft.baseRevision === null), {
    message: 'noteId and baseRevision are both set (a saved note) or both null (a new note).',
    path: ['baseRevision'],
  });

/**
 * `/api/notes` and `/api/draft`: the signed-in user's notes and draft. Every route reads the
 * session without extending it (`resume`): saving is not activity. Another user's note answers
 * 404, as an unknown one does, so ids say nothing.
 */
export function notesRoutes(sessions: Sessions, notes: Notes, cookieMode: CookieSecure) {
  const app = new Hono<AppEnv>();

  /**
   * The signed-in user's name, or the 401 to answer with (`session_revoked` for a session ended
   * from another one, as every route says it).
   */
  async function owner(c: Context<AppEnv>): Promise<string | Response> {
    const current = await sessions.resume(readSessionCookie(c, cookieMode));
    return current.live ? current.user.username : unauthenticatedResponse(c, current.revoked);
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
    const username = await owner(c);
    if (username instanceof Response) return username;
    const body = await readJsonBody(c, draftBody);
    if (!body.ok) return body.response;
    const problem = noteLimitProblem(body.value);
    if (problem) return overLimit(c, problem);
    const { noteId } = body.value;
    if (noteId !== null && !isNoteId(noteId)) return noSuchNote(c);
    const saved = await notes.saveDraft(username, body.value);
    return saved.ok ? c.json({ draft: saved.draft } satisfies DraftResponse) : noSuchNote(c);
  });

  app.delete('/draft', async (c) => {
    const username = await owner(c);
    if (username instanceof Response) return username;
    await notes.discardDraft(username);
    return c.body(null, 204);
  });

  return app;
}
