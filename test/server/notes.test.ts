/**
 * Notes and drafts through the HTTP API on every store (memory, SQLite, Redis): owners only,
 * limits, a draft save that does not extend the session, drafts purged after the retention.
 * The full row-by-row contract is test/contract/notes-api.contract.ts.
 */
import { describe, expect, it } from 'vitest';
import { maxNoteBodyBytes, noteLimits, type Note, type SessionResponse } from '../../shared/contract';
import { cookieFrom } from '../support/test-server';
import { everyStore } from './every-store';
import { apiClient, expectError, json, useTestApps } from './helpers';

const { inProcess } = useTestApps();

const { stores } = await everyStore();
const day = 24 * 60 * 60_000;

describe.each(stores)('notes on the %s store', (_kind, makeStore, skip) => {
  async function start(session = {}) {
    const server = await inProcess({ store: await makeStore(), session });
    const api = apiClient(server);
    /** The public id of each signed-in cookie's session: draft writes name it (decision 023). */
    const sessionIds = new Map<string, string>();
    const signIn = async (username: string) => {
      const response = await api.signIn(username);
      const cookie = cookieFrom(response);
      sessionIds.set(cookie, ((await response.json()) as SessionResponse).session.id!);
      return cookie;
    };
    const call = (cookie: string, path: string, method = 'GET', body?: unknown) =>
      api.call(path, {
        method,
        cookie,
        headers: body === undefined ? {} : json,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const create = async (cookie: string, text = 'mine') =>
      ((await (await call(cookie, '/api/notes', 'POST', { title: 'T', text })).json()) as { note: Note }).note;
    /** `PUT /api/draft` as the editor of `cookie`'s session sends it. */
    const putDraft = (cookie: string, draft: object, sessionId = sessionIds.get(cookie)) =>
      call(cookie, '/api/draft', 'PUT', { ...draft, sessionId });
    const discard = (cookie: string, query = '') =>
      call(cookie, `/api/draft?session=${sessionIds.get(cookie)}${query}`, 'DELETE');
    const idleLeft = async (cookie: string) =>
      ((await (await api.getSession(cookie)).json()) as SessionResponse).session.idleExpiresInMs;
    return { server, call, signIn, create, idleLeft, putDraft, discard, sessionIds };
  }

  it.skipIf(skip)(
    'lets no user read, change or delete another user’s notes or draft (404, nothing changed)',
    async () => {
      const { call, signIn, create, putDraft, discard } = await start();
      const ann = await signIn('ann');
      const bob = await signIn('bob');
      const note = await create(ann);
      await putDraft(ann, { noteId: note.id, baseRevision: 1, title: 'T', text: 'ann’s draft' });

      await expectError(await call(bob, `/api/notes/${note.id}`), 404, 'not_found');
      const change = { title: 'x', text: 'bob was here', baseRevision: 1 };
      await expectError(await call(bob, `/api/notes/${note.id}`, 'PUT', change), 404, 'not_found');
      await expectError(await call(bob, `/api/notes/${note.id}`, 'DELETE'), 404, 'not_found');
      const bobsDraft = { noteId: note.id, baseRevision: 1, title: '', text: '' };
      await expectError(await putDraft(bob, bobsDraft), 404, 'not_found');
      expect(await (await call(bob, '/api/draft')).json()).toEqual({ draft: null });
      expect((await discard(bob)).status).toBe(204);
      expect(await (await call(bob, '/api/notes')).json()).toEqual({ notes: [] });

      expect(await (await call(ann, `/api/notes/${note.id}`)).json()).toEqual({ note });
      expect(((await (await call(ann, '/api/draft')).json()) as { draft: { text: string } }).draft.text).toBe(
        'ann’s draft',
      );
    },
  );

  it.skipIf(skip)('answers 422 over the text limit and at the note count, 413 over the body limit', async () => {
    const { server, call, signIn, create } = await start();
    const ann = await signIn('ann');
    const tooLong = { title: 'T', text: 'x'.repeat(noteLimits.textMaxLength + 1) };
    await expectError(await call(ann, '/api/notes', 'POST', tooLong), 422, 'limit_exceeded');
    for (let i = 0; i < noteLimits.notesPerUser; i++) await create(ann, `n${i}`);
    await expectError(await call(ann, '/api/notes', 'POST', { title: '', text: '' }), 422, 'limit_exceeded');
    const huge = api413Body();
    const headers = { ...json, Cookie: ann, Origin: server.origin };
    const response = await server.fetch('/api/draft', { method: 'PUT', headers, body: huge });
    await expectError(response, 413, 'payload_too_large');
    expect(await (await call(ann, '/api/draft')).json()).toEqual({ draft: null });
  });

  it.skipIf(skip)('saves drafts and notes without moving the idle deadline', async () => {
    const { server, call, signIn, create, idleLeft, putDraft } = await start();
    const ann = await signIn('ann');
    server.clock.advance(25_000);
    const before = await idleLeft(ann);
    expect(before).toBe(35_000);
    expect((await putDraft(ann, { noteId: null, baseRevision: null, title: '', text: 'typing' })).status).toBe(200);
    const note = await create(ann);
    await call(ann, `/api/notes/${note.id}`, 'PUT', { title: 'T', text: 'changed', baseRevision: 1 });
    expect(await idleLeft(ann)).toBe(before);
    server.clock.advance(before);
    await expectError(await call(ann, '/api/draft'), 401, 'unauthenticated');
  });

  it.skipIf(skip)('keeps a draft for DRAFT_RETENTION after its last save, then it is gone and purged', async () => {
    const { server, call, signIn, putDraft } = await start({ draftRetentionMs: day, absoluteTimeoutMs: 2 * day });
    let ann = await signIn('ann');
    expect((await putDraft(ann, { noteId: null, baseRevision: null, title: '', text: 'kept' })).status).toBe(200);
    server.clock.advance(day - 1);
    ann = await signIn('ann');
    expect(((await (await call(ann, '/api/draft')).json()) as { draft: { text: string } }).draft.text).toBe('kept');
    expect(await server.store.purgeDrafts(server.clock.now())).toBe(0);
    server.clock.advance(1);
    expect(await (await call(ann, '/api/draft')).json()).toEqual({ draft: null });
    expect(await server.store.purgeDrafts(server.clock.now())).toBe(1);
  });

  it.skipIf(skip)(
    'binds draft writes to their session: a write naming another session changes nothing (409 session_mismatch), an ended one 401',
    async () => {
      const { server, call, signIn, putDraft, discard, sessionIds } = await start();
      const ann = await signIn('ann');
      const annSession = sessionIds.get(ann)!;
      const draft = { noteId: null, baseRevision: null, title: 'T', text: 'ann’s words' };
      expect((await putDraft(ann, draft)).status).toBe(200);
      const bob = await signIn('bob');
      // Bob's cookie with Ann's session named: what a tab of Ann's sends after Bob signed in.
      await expectError(await putDraft(bob, { ...draft, text: 'leak' }, annSession), 409, 'session_mismatch');
      await expectError(await call(bob, `/api/draft?session=${annSession}`, 'DELETE'), 409, 'session_mismatch');
      for (const forged of ['', 'x'.repeat(22), 'nope']) {
        await expectError(await putDraft(bob, draft, forged), 409, 'session_mismatch');
      }
      expect(await (await call(bob, '/api/draft')).json()).toEqual({ draft: null });
      // Ann signs in again: her old session's id is refused under the new cookie too.
      const annAgain = await signIn('ann');
      await expectError(await putDraft(annAgain, { ...draft, text: 'stale' }, annSession), 409, 'session_mismatch');
      expect(((await (await call(annAgain, '/api/draft')).json()) as { draft: { text: string } }).draft.text).toBe(
        'ann’s words',
      );
      // Ann's first session after its idle end: 401, and still nothing changes.
      server.clock.advance(60_000);
      await expectError(await putDraft(ann, { ...draft, text: 'late' }), 401, 'unauthenticated');
      await expectError(await discard(ann), 401, 'unauthenticated');
    },
  );

  it.skipIf(skip)(
    'discards only the save it names: a newer draft from another tab stays (409 draft_changed)',
    async () => {
      const { server, call, signIn, putDraft, discard } = await start();
      const ann = await signIn('ann');
      const first = (await (
        await putDraft(ann, { noteId: null, baseRevision: null, title: '', text: 'tab 1' })
      ).json()) as {
        draft: { updatedAt: number };
      };
      server.clock.advance(1_000);
      await putDraft(ann, { noteId: null, baseRevision: null, title: '', text: 'tab 2, newer' });
      await expectError(await discard(ann, `&updatedAt=${first.draft.updatedAt}`), 409, 'draft_changed');
      expect(((await (await call(ann, '/api/draft')).json()) as { draft: { text: string } }).draft.text).toBe(
        'tab 2, newer',
      );
      expect((await discard(ann, `&updatedAt=${server.clock.now()}`)).status).toBe(204);
      expect(await (await call(ann, '/api/draft')).json()).toEqual({ draft: null });
      // No draft at all: nothing to keep, 204.
      expect((await discard(ann, `&updatedAt=${first.draft.updatedAt}`)).status).toBe(204);
      for (const bad of ['&updatedAt=-1', '&updatedAt=1.5', '&updatedAt=', '&updatedAt=abc']) {
        await expectError(await discard(ann, bad), 400, 'bad_request');
      }
      await expectError(await call(ann, '/api/draft', 'DELETE'), 400, 'bad_request');
    },
  );
});

/** A draft body just over the notes body limit. */
function api413Body(): string {
  return JSON.stringify({ noteId: null, baseRevision: null, title: '', text: 'x'.repeat(maxNoteBodyBytes) });
}
