import type {
  DraftRequest,
  DraftResponse,
  NewNoteRequest,
  NoteResponse,
  NotesResponse,
  NoteUpdateRequest,
} from '../../../shared/contract';
import { request } from '../../lib/api';
import type { DraftSendOutcome } from './draft-saver';

/**
 * The notes rows of the API table. A 401 on a note request ends the session (the API client
 * reports it); draft saves handle theirs (the session is ending anyway, see saveDraft).
 */
export const notesApi = {
  list: () => request<NotesResponse>('/api/notes'),
  get: (id: string) => request<NoteResponse>(`/api/notes/${id}`),
  create: (body: NewNoteRequest) => request<NoteResponse>('/api/notes', { method: 'POST', body }),
  update: (id: string, body: NoteUpdateRequest) => request<NoteResponse>(`/api/notes/${id}`, { method: 'PUT', body }),
  remove: (id: string) => request<void>(`/api/notes/${id}`, { method: 'DELETE' }),
  getDraft: () => request<DraftResponse>('/api/draft'),
  discardDraft: () => request<void>('/api/draft', { method: 'DELETE' }),
};

/**
 * `PUT /api/draft` for the draft saver. Its 401 is not reported: the last save races the
 * sign-out it belongs to, and the session monitor ends sessions. Network trouble and 5xx are
 * worth another try; any other refusal is final.
 */
export async function saveDraft(body: DraftRequest, { keepalive }: { keepalive: boolean }): Promise<DraftSendOutcome> {
  const result = await request<DraftResponse>('/api/draft', {
    method: 'PUT',
    body,
    keepalive,
    reportUnauthorized: false,
    timeoutMs: keepalive ? undefined : 10_000,
  });
  if (result.ok) return 'saved';
  return result.status === 0 || result.status >= 500 || result.status === 429 ? 'retry' : 'refused';
}
