import { afterEach, describe, expect, it, vi } from 'vitest';
import { saveDraft } from './notes-api';

afterEach(() => vi.unstubAllGlobals());

const answer = (status: number, body: string) =>
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(body, { status })),
  );
const save = () => saveDraft({ text: 'kept', sessionId: 's1' } as Parameters<typeof saveDraft>[0]);

describe('saveDraft', () => {
  it('a 200 that is not our JSON (a captive portal) is worth another try, not a throw', async () => {
    answer(200, '<html>Sign in to the Wi-Fi</html>');
    await expect(save()).resolves.toEqual({ outcome: 'retry' });
  });

  it('a 200 with our draft is saved', async () => {
    answer(200, JSON.stringify({ draft: { text: 'kept', updatedAt: 5 } }));
    await expect(save()).resolves.toEqual({ outcome: 'saved', updatedAt: 5 });
  });

  it('a 401 ends it, a 503 tries again, a 400 is final', async () => {
    answer(401, JSON.stringify({ error: 'unauthenticated', message: 'x' }));
    await expect(save()).resolves.toEqual({ outcome: 'ended' });
    answer(503, JSON.stringify({ error: 'store_unavailable', message: 'x' }));
    await expect(save()).resolves.toEqual({ outcome: 'retry' });
    answer(400, JSON.stringify({ error: 'invalid_request', message: 'x' }));
    await expect(save()).resolves.toEqual({ outcome: 'refused' });
  });
});
