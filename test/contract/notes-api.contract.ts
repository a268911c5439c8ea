/**
 * The notes and draft rows of the API table (docs/decisions/016-nothing-lost.md), run like the
 * session contract against the real server over HTTP and the MSW mock.
 */
import { describe, expect, it } from 'vitest';
import { maxNoteBodyBytes, noteLimits, type Draft, type Note, type NoteSummary } from '../../shared/contract';
import {
  contractSession,
  expectError,
  expectJson,
  post,
  signInBody,
  type ContractBrowser,
  type ContractTarget,
  type MakeContractTarget,
  useContractTargets,
} from './session-api.contract';

const jsonHeaders = { 'Content-Type': 'application/json' };
const send = (method: string, body: unknown): RequestInit => ({
  method,
  headers: jsonHeaders,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const unknownId = 'f'.repeat(32);

async function expectNote(response: Response, status: number): Promise<Note> {
  const body = await expectJson(response, status);
  expect(Object.keys(body)).toEqual(['note']);
  const note = body.note as Note;
  expect(Object.keys(note).sort()).toEqual(['id', 'revision', 'text', 'title', 'updatedAt']);
  expect(note.id).toMatch(/^[0-9a-f]{32}$/);
  expect(Number.isSafeInteger(note.revision) && Number.isSafeInteger(note.updatedAt)).toBe(true);
  return note;
}

async function expectDraft(response: Response): Promise<Draft | null> {
  const body = await expectJson(response, 200);
  expect(Object.keys(body)).toEqual(['draft']);
  return body.draft as Draft | null;
}

export function describeNotesContract(name: string, makeTarget: MakeContractTarget): void {
  describe(`notes API contract: ${name}`, () => {
    const start = useContractTargets(makeTarget);

    /** A browser signed in as `username`, and the public id of its session (draft writes name it). */
    async function signedIn(
      target: ContractTarget,
      username = 'test',
    ): Promise<ContractBrowser & { sessionId: string }> {
      const browser = target.browser();
      const response = await browser.fetch('/api/session', post(signInBody(username)));
      const { session } = (await expectJson(response, 201)) as { session: { id: string } };
      return Object.assign(browser, { sessionId: session.id });
    }
    const putDraft = (browser: ContractBrowser & { sessionId: string }, draft: object) =>
      browser.fetch('/api/draft', send('PUT', { ...draft, sessionId: browser.sessionId }));

    const create = async (browser: ContractBrowser, title = 'A', text = 'a') =>
      expectNote(await browser.fetch('/api/notes', send('POST', { title, text })), 201);

    describe('/api/notes', () => {
      it('creates (201), reads (200), lists newest first without text, changes and deletes (204) a note', async () => {
        const target = await start();
        const browser = await signedIn(target);
        expect(await expectJson(await browser.fetch('/api/notes'), 200)).toEqual({ notes: [] });
        const first = await create(browser, 'First', 'one');
        expect(first).toMatchObject({ title: 'First', text: 'one', revision: 1 });
        target.advance(1_000);
        const second = await create(browser, 'Second', 'two');
        const list = (await expectJson(await browser.fetch('/api/notes'), 200)).notes as NoteSummary[];
        expect(list).toEqual([second, first].map(({ text: _text, ...summary }) => summary));
        expect(await expectNote(await browser.fetch(`/api/notes/${first.id}`), 200)).toEqual(first);

        const changed = await expectNote(
          await browser.fetch(`/api/notes/${first.id}`, send('PUT', { title: 'First', text: 'uno', baseRevision: 1 })),
          200,
        );
        expect(changed).toMatchObject({ id: first.id, text: 'uno', revision: 2 });
        const deleted = await browser.fetch(`/api/notes/${first.id}`, { method: 'DELETE' });
        expect(deleted.status).toBe(204);
        expect(await deleted.text()).toBe('');
        await expectError(await browser.fetch(`/api/notes/${first.id}`), 404, 'not_found');
      });

      it('answers 409 conflict with the current note to a save from an older revision, changing nothing', async () => {
        const target = await start();
        const browser = await signedIn(target);
        const note = await create(browser);
        const save = (text: string) => send('PUT', { title: 'A', text, baseRevision: 1 });
        await expectNote(await browser.fetch(`/api/notes/${note.id}`, save('from tab one')), 200);
        const conflict = await expectError(
          await browser.fetch(`/api/notes/${note.id}`, save('from tab two')),
          409,
          'conflict',
        );
        expect(conflict.current).toMatchObject({ id: note.id, text: 'from tab one', revision: 2 });
        expect((await expectNote(await browser.fetch(`/api/notes/${note.id}`), 200)).text).toBe('from tab one');
      });

      it('answers 404 (never 403) to another user’s note and to unknown or malformed ids', async () => {
        const target = await start();
        const ann = await signedIn(target, 'ann');
        const note = await create(ann);
        const bob = await signedIn(target, 'bob');
        for (const id of [note.id, unknownId, 'not-an-id', note.id.toUpperCase()]) {
          await expectError(await bob.fetch(`/api/notes/${id}`), 404, 'not_found');
          await expectError(
            await bob.fetch(`/api/notes/${id}`, send('PUT', { title: 'x', text: 'x', baseRevision: 1 })),
            404,
            'not_found',
          );
          await expectError(await bob.fetch(`/api/notes/${id}`, { method: 'DELETE' }), 404, 'not_found');
        }
        expect(await expectJson(await bob.fetch('/api/notes'), 200)).toEqual({ notes: [] });
        expect(await expectNote(await ann.fetch(`/api/notes/${note.id}`), 200)).toEqual(note);
      });

      it('answers 422 limit_exceeded naming the field to a title or text over its limit', async () => {
        const target = await start();
        const browser = await signedIn(target);
        const long = { title: 'x'.repeat(noteLimits.titleMaxLength + 1), text: '' };
        expect(
          (await expectError(await browser.fetch('/api/notes', send('POST', long)), 422, 'limit_exceeded')).field,
        ).toBe('title');
        const longText = { title: '', text: 'x'.repeat(noteLimits.textMaxLength + 1) };
        expect(
          (await expectError(await browser.fetch('/api/notes', send('POST', longText)), 422, 'limit_exceeded')).field,
        ).toBe('text');
        const atLimit = { title: 'x'.repeat(noteLimits.titleMaxLength), text: '€'.repeat(noteLimits.textMaxLength) };
        await expectNote(await browser.fetch('/api/notes', send('POST', atLimit)), 201);
      });

      it(`answers 422 limit_exceeded to note ${noteLimits.notesPerUser + 1}`, async () => {
        const target = await start();
        const browser = await signedIn(target);
        for (let i = 0; i < noteLimits.notesPerUser; i++) await create(browser, `n${i}`);
        await expectError(
          await browser.fetch('/api/notes', send('POST', { title: 'one more', text: '' })),
          422,
          'limit_exceeded',
        );
        expect(((await expectJson(await browser.fetch('/api/notes'), 200)).notes as unknown[]).length).toBe(
          noteLimits.notesPerUser,
        );
      });

      it('answers 400 to wrong types and unknown fields, 415 to a body that is not JSON, 413 over the limit', async () => {
        const target = await start();
        const browser = await signedIn(target);
        for (const [body, field] of [
          [{ title: 1, text: '' }, 'title'],
          [{ title: '', text: null }, 'text'],
          [{ title: '' }, 'text'],
          [{ title: '', text: '', extra: 1 }, 'extra'],
        ] as const) {
          expect(
            (await expectError(await browser.fetch('/api/notes', send('POST', body)), 400, 'bad_request')).field,
          ).toBe(field);
        }
        await expectError(await browser.fetch('/api/notes', send('POST', '[]')), 400, 'bad_request');
        const note = await create(browser);
        for (const baseRevision of [0, 1.5, '1', null]) {
          const body = { title: '', text: '', baseRevision };
          await expectError(await browser.fetch(`/api/notes/${note.id}`, send('PUT', body)), 400, 'bad_request');
        }
        const plain = { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"title":"","text":""}' };
        await expectError(await browser.fetch('/api/notes', plain), 415, 'unsupported_media_type');
        const huge = JSON.stringify({ title: '', text: 'x'.repeat(maxNoteBodyBytes) });
        await expectError(await browser.fetch('/api/notes', send('POST', huge)), 413, 'payload_too_large');
        expect(((await expectJson(await browser.fetch('/api/notes'), 200)).notes as unknown[]).length).toBe(1);
      });

      it('refuses a cross-site write with 403, and everything without a session with 401', async () => {
        const target = await start();
        const browser = await signedIn(target);
        const note = await create(browser);
        const crossSite = { ...send('DELETE', ''), headers: { Origin: 'https://evil.example' } };
        await expectError(await browser.fetch(`/api/notes/${note.id}`, crossSite), 403, 'cross_site_request');
        const crossSitePost = {
          ...send('POST', { title: '', text: '' }),
          headers: { ...jsonHeaders, 'Sec-Fetch-Site': 'cross-site' },
        };
        await expectError(await browser.fetch('/api/notes', crossSitePost), 403, 'cross_site_request');
        const anonymous = target.browser();
        await expectError(await anonymous.fetch('/api/notes'), 401, 'unauthenticated');
        await expectError(await anonymous.fetch(`/api/notes/${note.id}`), 401, 'unauthenticated');
        await expectError(
          await anonymous.fetch('/api/notes', send('POST', { title: '', text: '' })),
          401,
          'unauthenticated',
        );
        await expectError(await anonymous.fetch('/api/draft'), 401, 'unauthenticated');
        expect(await expectNote(await browser.fetch(`/api/notes/${note.id}`), 200)).toEqual(note);
      });
    });

    describe('POST /api/notes/import', () => {
      const importFile = (browser: ContractBrowser, body: string, type = 'text/markdown') =>
        browser.fetch('/api/notes/import', { method: 'POST', headers: { 'Content-Type': type }, body });

      it('makes one note per # heading (201, summaries in the file order), all or none', async () => {
        const target = await start();
        const browser = await signedIn(target);
        const response = await importFile(browser, '# One\nfirst\n# Two\nsecond\n');
        const { notes } = (await expectJson(response, 201)) as { notes: NoteSummary[] };
        expect(notes.map((note) => note.title)).toEqual(['One', 'Two']);
        expect(Object.keys(notes[0]).sort()).toEqual(['id', 'revision', 'title', 'updatedAt']);
        expect(await expectNote(await browser.fetch(`/api/notes/${notes[1].id}`), 200)).toMatchObject({
          text: 'second',
        });

        const bad = await expectError(await importFile(browser, '# Three\nok\n#\n'), 422, 'invalid_import');
        expect(bad.line).toBe(3);
        const list = (await expectJson(await browser.fetch('/api/notes'), 200)).notes as NoteSummary[];
        expect(list).toHaveLength(2);
      });

      it('answers 415 to another media type and 401 without a session', async () => {
        const target = await start();
        const browser = await signedIn(target);
        await expectError(await importFile(browser, '{}', 'application/json'), 415, 'unsupported_media_type');
        await expectError(await importFile(target.browser(), '# A\n', 'text/plain'), 401, 'unauthenticated');
      });
    });

    describe('/api/draft', () => {
      it('keeps one draft per user: null at first, the last save after, gone when discarded', async () => {
        const target = await start();
        const browser = await signedIn(target);
        expect(await expectDraft(await browser.fetch('/api/draft'))).toBeNull();
        const request = { noteId: null, baseRevision: null, title: 'T', text: 'half-written' };
        const saved = await expectDraft(await putDraft(browser, request));
        expect(saved).toMatchObject(request);
        expect(Object.keys(saved!).sort()).toEqual(['baseRevision', 'noteId', 'text', 'title', 'updatedAt']);
        expect(await expectDraft(await browser.fetch('/api/draft'))).toMatchObject(request);
        expect((await browser.fetch(`/api/draft?session=${browser.sessionId}`, { method: 'DELETE' })).status).toBe(204);
        expect(await expectDraft(await browser.fetch('/api/draft'))).toBeNull();
      });

      it('takes a restored draft back as it was restored, updatedAt and all stripped by the editor, and refuses the server’s fields', async () => {
        const target = await start();
        const browser = await signedIn(target);
        const request = { noteId: null, baseRevision: null, title: 'T', text: 'restored' };
        const saved = await expectDraft(await putDraft(browser, request));
        // What the editor sends after a restore: the draft's own fields, never the server's.
        await expectError(await putDraft(browser, { ...saved }), 400, 'bad_request');
        expect(await expectDraft(await putDraft(browser, { ...request, text: 'restored, then typed' }))).toMatchObject({
          text: 'restored, then typed',
        });
      });

      it('binds every draft write to the session it names: another browser’s or an ended one changes nothing', async () => {
        const target = await start();
        const ann = await signedIn(target, 'ann');
        const bob = await signedIn(target, 'bob');
        const request = { noteId: null, baseRevision: null, title: '', text: 'ann’s' };
        await expectDraft(await putDraft(ann, request));
        const asAnn = { ...request, sessionId: ann.sessionId };
        await expectError(await bob.fetch('/api/draft', send('PUT', asAnn)), 409, 'session_mismatch');
        await expectError(
          await bob.fetch(`/api/draft?session=${ann.sessionId}`, { method: 'DELETE' }),
          409,
          'session_mismatch',
        );
        await expectError(await bob.fetch('/api/draft', send('PUT', request)), 400, 'bad_request');
        expect(await expectDraft(await bob.fetch('/api/draft'))).toBeNull();
        expect(await expectDraft(await ann.fetch('/api/draft'))).toMatchObject(request);
      });

      it('never extends the session: the idle deadline is the same before and after a draft save', async () => {
        const target = await start();
        const browser = await signedIn(target);
        target.advance(20_000);
        const before = (await expectJson(await browser.fetch('/api/session'), 200)).session as {
          idleExpiresInMs: number;
        };
        const request = { noteId: null, baseRevision: null, title: '', text: 'x' };
        await expectDraft(await putDraft(browser, request));
        await create(browser);
        const after = (await expectJson(await browser.fetch('/api/session'), 200)).session as {
          idleExpiresInMs: number;
        };
        expect(after.idleExpiresInMs).toBe(before.idleExpiresInMs);
        expect(after.idleExpiresInMs).toBe(contractSession.idleTimeoutMs - 20_000);
      });

      it('outlives the session: after an idle sign-out, the same user signing in again gets it back; another user never', async () => {
        const target = await start();
        const ann = await signedIn(target, 'ann');
        const request = { noteId: null, baseRevision: null, title: '', text: 'kept' };
        await expectDraft(await putDraft(ann, request));
        target.advance(contractSession.idleTimeoutMs);
        await expectError(await ann.fetch('/api/draft'), 401, 'unauthenticated');
        const bob = await signedIn(target, 'bob');
        expect(await expectDraft(await bob.fetch('/api/draft'))).toBeNull();
        const again = await signedIn(target, 'ann');
        expect(await expectDraft(await again.fetch('/api/draft'))).toMatchObject(request);
      });

      it('answers 404 to a draft of another user’s note or an unknown one, 400 to a half-named note, 422 over the limits', async () => {
        const target = await start();
        const ann = await signedIn(target, 'ann');
        const note = await create(ann);
        const bob = await signedIn(target, 'bob');
        for (const noteId of [note.id, unknownId, 'nope']) {
          const request = { noteId, baseRevision: 1, title: '', text: '' };
          await expectError(await putDraft(bob, request), 404, 'not_found');
        }
        const half = { noteId: note.id, baseRevision: null, title: '', text: '' };
        await expectError(await putDraft(ann, half), 400, 'bad_request');
        const long = { noteId: null, baseRevision: null, title: '', text: 'x'.repeat(noteLimits.textMaxLength + 1) };
        await expectError(await putDraft(ann, long), 422, 'limit_exceeded');
        expect(await expectDraft(await bob.fetch('/api/draft'))).toBeNull();
        expect(await expectDraft(await ann.fetch('/api/draft'))).toBeNull();
      });
    });

    it('answers 405 with Allow to a method these paths do not take', async () => {
      const target = await start();
      const browser = await signedIn(target);
      for (const [path, allow] of [
        ['/api/notes', 'GET, POST'],
        [`/api/notes/${unknownId}`, 'GET, PUT, DELETE'],
        ['/api/draft', 'GET, PUT, DELETE'],
      ]) {
        const response = await browser.fetch(path, send('PATCH', {}));
        expect(response.headers.get('Allow')).toBe(allow);
        await expectError(response, 405, 'method_not_allowed');
      }
    });
  });
}
