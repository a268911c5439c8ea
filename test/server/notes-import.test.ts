/** `POST /api/notes/import` (issue 23): one note per `# heading`, streamed, all or nothing. */
import { describe, expect, it } from 'vitest';
import { maxImportBytes, noteLimits, type ImportNotesResponse, type NotesResponse } from '../../shared/contract';
import { createNotesImport } from '../../server/notes/import';
import { cookieFrom } from '../support/test-server';
import { apiClient, expectError, rawRequest, useTestApps } from './helpers';

const { inProcess, overHttp } = useTestApps();

async function start() {
  const server = await inProcess();
  const api = apiClient(server);
  const cookie = cookieFrom(await api.signIn('importer'));
  const importFile = (body: BodyInit, type = 'text/markdown; charset=utf-8') =>
    api.call('/api/notes/import', { method: 'POST', cookie, headers: { 'Content-Type': type }, body });
  const listed = async () => ((await (await api.call('/api/notes', { cookie })).json()) as NotesResponse).notes;
  return { server, api, cookie, importFile, listed };
}

describe('importing notes', () => {
  it('makes one note per # heading, in the file order, with the lines under it as its text', async () => {
    const { importFile, listed, api, cookie } = await start();

    const response = await importFile('\n# Groceries\nmilk\n\neggs\n\n# Ideas\r\n## not a heading\n#hashtag\n');

    expect(response.status).toBe(201);
    const { notes } = (await response.json()) as ImportNotesResponse;
    expect(notes.map((note) => note.title)).toEqual(['Groceries', 'Ideas']);
    expect((await listed()).map((note) => note.title)).toEqual(['Groceries', 'Ideas']);
    const ideas = await (await api.call(`/api/notes/${notes[1].id}`, { cookie })).json();
    expect(ideas.note.text).toBe('## not a heading\n#hashtag');
    const groceries = await (await api.call(`/api/notes/${notes[0].id}`, { cookie })).json();
    expect(groceries.note.text).toBe('milk\n\neggs');
  });

  it.each<[string, string | Uint8Array<ArrayBuffer>, number]>([
    ['text before the first heading', 'hello\n# A\n', 1],
    ['a heading without a title', '# A\ntext\n#\n', 3],
    ['a title over the limit', `# A\n# ${'t'.repeat(noteLimits.titleMaxLength + 1)}\n`, 2],
    ['a text over the limit', `# A\n${'x'.repeat(noteLimits.textMaxLength)}\nmore\n`, 3],
    ['bytes that are not UTF-8', new Uint8Array([0x23, 0x20, 0x41, 0x0a, 0xc0, 0xaf, 0x0a]), 2],
    ['no heading at all', '\n\n', 1],
  ])('answers 422 with the first bad line for %s, and stores nothing', async (_name, body, line) => {
    const { importFile, listed } = await start();

    const error = await expectError(await importFile(body), 422, 'invalid_import');

    expect(error.line).toBe(line);
    expect(error.message).toContain(`Line ${line}`);
    expect(await listed()).toEqual([]);
  });

  it('refuses a file that would pass the count of notes, storing nothing', async () => {
    const { importFile, listed } = await start();
    const file = Array.from({ length: noteLimits.notesPerUser + 1 }, (_, i) => `# Note ${i + 1}\ntext`).join('\n');

    const error = await expectError(await importFile(file), 422, 'invalid_import');

    expect(error.line).toBe(2 * noteLimits.notesPerUser + 1);
    expect(await listed()).toEqual([]);
  });

  it('answers 415 to another media type and 401 without a session', async () => {
    const { importFile, api } = await start();
    await expectError(await importFile('# A\n', 'application/json'), 415, 'unsupported_media_type');
    const anonymous = await api.call('/api/notes/import', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '# A\n',
    });
    await expectError(anonymous, 401, 'unauthenticated');
  });

  it('answers 405 with Allow to other methods', async () => {
    const { api, cookie } = await start();
    const response = await api.call('/api/notes/import', { cookie });
    await expectError(response, 405, 'method_not_allowed');
    expect(response.headers.get('Allow')).toBe('POST');
  });

  it('answers 413 over the size limit, also sent chunked, and stores nothing', async () => {
    const server = await overHttp();
    const api = apiClient(server);
    const cookie = cookieFrom(await api.signIn('importer'));
    const big = `# Big\n${'x'.repeat(maxImportBytes)}\n`;
    for (const chunked of [false, true]) {
      const response = await rawRequest(server.url, {
        method: 'POST',
        path: '/api/notes/import',
        headers: {
          'Content-Type': 'text/plain',
          Cookie: cookie,
          ...(chunked ? { 'Transfer-Encoding': 'chunked' } : {}),
        },
        body: big,
      });
      expect(response.status).toBe(413);
    }
    const notes = ((await (await api.call('/api/notes', { cookie })).json()) as NotesResponse).notes;
    expect(notes).toEqual([]);
  });
});

describe('the import parser', () => {
  it('reads a file cut into chunks anywhere, even inside a character', () => {
    const bytes = new TextEncoder().encode('# Café\nnaïve — ✓\n# B\nx');
    for (let size = 1; size <= 5; size++) {
      const parser = createNotesImport(200);
      for (let at = 0; at < bytes.length; at += size) parser.push(bytes.slice(at, at + size));
      expect(parser.finish()).toEqual({
        ok: true,
        notes: [
          { title: 'Café', text: 'naïve — ✓' },
          { title: 'B', text: 'x' },
        ],
      });
    }
  });
});
