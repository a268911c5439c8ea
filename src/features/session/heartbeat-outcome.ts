import type { HeartbeatResponse } from '../../../shared/contract';
import { isServerUnreachable, type ApiResult } from '../../lib/api';
import type { HeartbeatOutcome } from './heartbeat-scheduler';

/**
 * What the session monitor makes of an answer to `POST /api/session/heartbeat`: the timing it
 * carries, a hold the server refused (past MAX_HOLD), "no answer" (no connection, 502-504, or a
 * 200 that is not our JSON: a captive portal, a proxy page), a 401 (the session has ended; a
 * `session_revoked` one was ended by its user elsewhere), or a refusal to retry.
 */
export function heartbeatOutcome(result: ApiResult<HeartbeatResponse>): HeartbeatOutcome {
  if (result.ok && typeof result.data?.session?.idleExpiresInMs === 'number') {
    const sample = { timing: result.data.session, sentAt: result.sentAt };
    return result.data.hold === 'refused' ? { ok: true, sample, holdRefused: true } : { ok: true, sample };
  }
  if (result.ok || isServerUnreachable(result)) return { ok: false, kind: 'network' };
  if (result.status === 401)
    return { ok: false, kind: 'unauthenticated', revoked: result.error.error === 'session_revoked' };
  return { ok: false, kind: 'rejected' };
}
