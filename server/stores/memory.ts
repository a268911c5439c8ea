import { expiresAt, extendedRecord, type SessionRecord } from '../session/expiry';
import type { DeviceTokenRecord, FailureCounter, SessionStore } from './store';

/** Everything a document store holds, as plain data. */
export interface StoreDocument {
  sessions: Record<string, { record: SessionRecord; expiresAt: number }>;
  failures: Record<string, FailureCounter>;
  deviceTokens: Record<string, DeviceTokenRecord>;
}

export const emptyStoreDocument = (): StoreDocument => ({ sessions: {}, failures: {}, deviceTokens: {} });

/**
 * A store over one plain document: `load` gives it, `save` keeps it after a change. The memory
 * store keeps it in a variable; mock mode keeps it in Web Storage (mocks/web-storage-store.ts).
 * Every operation is synchronous inside, so each is atomic in a single-threaded runtime.
 */
export function createDocumentStore(load: () => StoreDocument, save: (document: StoreDocument) => void): SessionStore {
  const change = <T>(update: (document: StoreDocument) => T): T => {
    const document = load();
    const result = update(document);
    save(document);
    return result;
  };

  return {
    async create(record, expiresAt) {
      change((document) => void (document.sessions[record.idHash] = { record: { ...record }, expiresAt }));
    },
    async get(idHash) {
      const entry = load().sessions[idHash];
      return entry && { ...entry.record };
    },
    async extend(idHash, activityAt, now, limits) {
      return change((document) => {
        const entry = document.sessions[idHash];
        const record = entry && extendedRecord(entry.record, activityAt, now, limits);
        if (!record) return undefined;
        document.sessions[idHash] = { record, expiresAt: expiresAt(record, limits) };
        return { ...record };
      });
    },
    async delete(idHash) {
      change((document) => void delete document.sessions[idHash]);
    },
    async purgeExpired(now) {
      return change((document) => {
        const expired = Object.keys(document.sessions).filter((idHash) => document.sessions[idHash].expiresAt <= now);
        for (const idHash of expired) delete document.sessions[idHash];
        for (const [key, counter] of Object.entries(document.failures))
          if (counter.resetAt <= now) delete document.failures[key];
        for (const [tokenHash, token] of Object.entries(document.deviceTokens))
          if (token.expiresAt <= now) delete document.deviceTokens[tokenHash];
        return expired.length;
      });
    },
    async getFailures(key, now) {
      const counter = load().failures[key];
      return counter && counter.resetAt > now ? { ...counter } : undefined;
    },
    async addFailure(key, now, windowMs) {
      return change((document) => {
        const current = document.failures[key];
        const next =
          current && current.resetAt > now
            ? { count: current.count + 1, resetAt: current.resetAt }
            : { count: 1, resetAt: now + windowMs };
        document.failures[key] = next;
        return { ...next };
      });
    },
    async clearFailures(key) {
      change((document) => void delete document.failures[key]);
    },
    async takeBackFailure(key, now) {
      change((document) => {
        const counter = document.failures[key];
        if (counter && counter.resetAt > now && counter.count > 0) counter.count--;
      });
    },
    async saveDeviceToken(tokenHash, username, expiresAt) {
      change((document) => void (document.deviceTokens[tokenHash] = { username, expiresAt }));
    },
    async getDeviceToken(tokenHash, now) {
      const token = load().deviceTokens[tokenHash];
      return token && token.expiresAt > now ? token.username : undefined;
    },
    async deleteDeviceToken(tokenHash) {
      change((document) => void delete document.deviceTokens[tokenHash]);
    },
    async ping() {},
    async close() {},
  };
}

/** An in-process store for tests and mock mode. Sessions are lost when the process ends. */
export function createMemoryStore(): SessionStore {
  // Object.create(null) maps: a key like "__proto__" is just a key.
  const document: StoreDocument = {
    sessions: Object.create(null),
    failures: Object.create(null),
    deviceTokens: Object.create(null),
  };
  return createDocumentStore(
    () => document,
    () => {},
  );
}
