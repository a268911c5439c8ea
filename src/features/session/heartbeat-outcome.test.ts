import { describe, expect, it } from 'vitest';
import type { HeartbeatResponse } from '../../../shared/contract';
import type { ApiResult } from '../../lib/api';
import { heartbeatOutcome } from './heartbeat-outcome';

const timing = {
  idleTimeoutMs: 60_000,
  warningMs: 30_000,
  idleExpiresInMs: 60_000,
  absoluteExpiresInMs: 8 * 60 * 60_000,
  heartbeatIntervalMs: 10_000,
};
const sentAt = 1_000;
const failed = (status: number, error: string): ApiResult<HeartbeatResponse> => ({
  ok: false,
  status,
  error: { error: error as 'bad_request', message: '', requestId: 'r' },
  sentAt,
});

describe('what the monitor makes of a heartbeat answer', () => {
  it('keeps the timing of a 200, with the time the request left, and says when a hold was refused', () => {
    expect(heartbeatOutcome({ ok: true, status: 200, data: { session: timing }, sentAt })).toEqual({
      ok: true,
      sample: { timing, sentAt },
    });
    expect(heartbeatOutcome({ ok: true, status: 200, data: { session: timing, hold: 'refused' }, sentAt })).toEqual({
      ok: true,
      sample: { timing, sentAt },
      holdRefused: true,
    });
  });

  it('takes a 200 that is not our JSON (a captive portal), no connection, 502, 503 and 504 as no answer', () => {
    const portal = { ok: true, status: 200, data: '<html>' as unknown as HeartbeatResponse, sentAt } as const;
    expect(heartbeatOutcome(portal)).toEqual({ ok: false, kind: 'network' });
    expect(heartbeatOutcome({ ok: false, status: 0, error: { error: 'network', message: 'offline' }, sentAt })).toEqual(
      { ok: false, kind: 'network' },
    );
    for (const status of [502, 503, 504])
      expect(heartbeatOutcome(failed(status, 'store_unavailable'))).toEqual({ ok: false, kind: 'network' });
  });

  it('ends the session on a 401, saying when its user ended it elsewhere; other errors are refusals', () => {
    expect(heartbeatOutcome(failed(401, 'unauthenticated'))).toEqual({
      ok: false,
      kind: 'unauthenticated',
      revoked: false,
    });
    expect(heartbeatOutcome(failed(401, 'session_revoked'))).toEqual({
      ok: false,
      kind: 'unauthenticated',
      revoked: true,
    });
    expect(heartbeatOutcome(failed(400, 'bad_request'))).toEqual({ ok: false, kind: 'rejected' });
  });
});
