import type {
  DraftResponse,
  DraftSaveRequest,
  NewNoteRequest,
  NoteResponse,
  NotesResponse,
  NoteUpdateRequest,
} from '../../../shared/contract';
import { request } from '../../lib/api';
import type { DraftSendResult } from './draft-saver';

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
  /**
   * Deletes the draft of session `sessionId`'s user; with `onlyIfUpdatedAt`, only that save of it
   * (409 `draft_changed` when another tab saved a newer one, which stays).
   */
  discardDraft: (sessionId: string, onlyIfUpdatedAt?: number) =>
    request<void>(
      `/api/draft?session=${encodeURIComponent(sessionId)}${onlyIfUpdatedAt === undefined ? '' : `&updatedAt=${onlyIfUpdatedAt}`}`,
      { method: 'DELETE' },
    ),
};

/**
 * Browsers give `keepalive` requests 64 KiB in all (the sign-out and heartbeats share it): a draft
 * under this goes with `keepalive`, so a save on its way when the tab closes still arrives.
 */
const keepaliveBodyBytes = 48 * 1024;

/**
 * `PUT /api/draft`, bound to the session the editor began in. Its 401 is not reported: the
 * session monitor ends sessions; a 401 or a 409 `session_mismatch` means that session is over
 * (`ended`). Network trouble, 5xx, 429 and a 200 that is not our JSON are worth another try; any
 * other refusal is final.
 */
export async function saveDraft(body: DraftSaveRequest): Promise<DraftSendResult> {
  const keepalive = new TextEncoder().encode(JSON.stringify(body)).length <= keepaliveBodyBytes;
  const result = await request<DraftResponse>('/api/draft', {
    method: 'PUT',
    body,
    keepalive,
    reportUnauthorized: false,
    timeoutMs: 10_000,
  });
  if (result.ok && result.data?.draft) return { outcome: 'saved', updatedAt: result.data.draft.updatedAt };
  if (result.status === 401 || (result.status === 409 && !result.ok && result.error.error === 'session_mismatch')) {
    return { outcome: 'ended' };
  }
  // A success that is not our answer (a captive portal's page) is no answer, as for a heartbeat.
  return result.ok || result.status === 0 || result.status >= 500 || result.status === 429
    ? { outcome: 'retry' }
    : { outcome: 'refused' };
}
