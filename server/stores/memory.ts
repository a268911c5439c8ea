import type { SessionRecord } from '../session/expiry';
import type { FailureCounter, SessionStore } from './store';

/** An in-process store for tests and mock mode. Sessions are lost when the process ends. */
export function createMemoryStore(): SessionStore {
  const sessions = new Map<string, { record: SessionRecord; expiresAt: number }>();
  const failures = new Map<string, FailureCounter>();

  return {
    async create(record, expiresAt) {
      sessions.set(record.idHash, { record: { ...record }, expiresAt });
    },
    async get(idHash) {
      const entry = sessions.get(idHash);
      return entry && { ...entry.record };
    },
    async touch(idHash, lastActivityAt, expiresAt) {
      const entry = sessions.get(idHash);
      if (!entry) return false;
      entry.record.lastActivityAt = lastActivityAt;
      entry.expiresAt = expiresAt;
      return true;
    },
    async delete(idHash) {
      sessions.delete(idHash);
    },
    async purgeExpired(now) {
      let purged = 0;
      for (const [idHash, entry] of sessions) {
        if (entry.expiresAt <= now) {
          sessions.delete(idHash);
          purged++;
        }
      }
      for (const [key, counter] of failures) if (counter.resetAt <= now) failures.delete(key);
      return purged;
    },
    async getFailures(key, now) {
      const counter = failures.get(key);
      return counter && counter.resetAt > now ? { ...counter } : undefined;
    },
    async addFailure(key, now, windowMs) {
      const current = failures.get(key);
      const next =
        current && current.resetAt > now
          ? { count: current.count + 1, resetAt: current.resetAt }
          : { count: 1, resetAt: now + windowMs };
      failures.set(key, next);
      return { ...next };
    },
    async clearFailures(key) {
      failures.delete(key);
    },
    async ping() {},
    async close() {
      sessions.clear();
      failures.clear();
    },
  };
}
