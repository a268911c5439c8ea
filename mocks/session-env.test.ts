import { describe, expect, it } from 'vitest';
import { sessionConfigFromEnv } from './session-env';

describe('mock session limits from the Vite env', () => {
  it('keeps the defaults when nothing is set', () => {
    expect(sessionConfigFromEnv({})).toEqual({});
    expect(sessionConfigFromEnv({ VITE_IDLE_TIMEOUT: '', MODE: 'mock' })).toEqual({});
  });

  it('reads durations like the server does', () => {
    expect(
      sessionConfigFromEnv({ VITE_IDLE_TIMEOUT: '20s', VITE_IDLE_WARNING: '10000', VITE_ABSOLUTE_TIMEOUT: '5m' }),
    ).toEqual({
      idleTimeoutMs: 20_000,
      warningMs: 10_000,
      absoluteTimeoutMs: 300_000,
    });
  });

  it('reads the draft retention too', () => {
    expect(sessionConfigFromEnv({ VITE_DRAFT_RETENTION: '2m' })).toEqual({ draftRetentionMs: 120_000 });
    expect(() => sessionConfigFromEnv({ VITE_DRAFT_RETENTION: 'a day' })).toThrow(
      /^VITE_DRAFT_RETENTION: "a day" is not a duration/,
    );
  });

  it('names the variable when a value is wrong', () => {
    expect(() => sessionConfigFromEnv({ VITE_IDLE_TIMEOUT: 'soon' })).toThrow(
      /^VITE_IDLE_TIMEOUT: "soon" is not a duration/,
    );
    expect(() => sessionConfigFromEnv({ VITE_IDLE_TIMEOUT: '20s' })).toThrow(/^VITE_IDLE_WARNING: must be shorter/);
    expect(() =>
      sessionConfigFromEnv({ VITE_ABSOLUTE_TIMEOUT: '30s', VITE_IDLE_WARNING: '10s', VITE_IDLE_TIMEOUT: '45s' }),
    ).toThrow(/^VITE_ABSOLUTE_TIMEOUT/);
  });
});
