import { expiresAt, extendedRecord, type SessionRecord } from '../session/expiry';
import { documentKey as key } from './document-key';
import { createDocumentNotes, type NotesDocument } from './memory-notes';
import type { DeviceTokenRecord, FailureCounter, Store } from './store';

/**
 * Everything a document store holds, as plain data. Every key is a `documentKey` (document-key.ts)
 * of the id hash, username or counter key, so any name is just a key.
 */
export interface StoreDocument extends NotesDocument {
  sessions: Record<string, { record: SessionRecord; expiresAt: number }>;
  failures: Record<string, FailureCounter>;
  /** The per-user index: username -> the id hashes of that user's sessions (as keys, value 1). */
  users: Record<string, Record<string, 1>>;
  deviceTokens: Record<string, DeviceTokenRecord>;
}

export const emptyStoreDocument = (): StoreDocument => ({ sessions: {}, failures: {}, users: {}, deviceTokens: {} });

/** Puts a session (by its key, `key(idHash)`) in its user's index. */
function indexSession(document: StoreDocument, username: string, sessionKey: string): void {
  (document.users[key(username)] ??= {})[sessionKey] = 1;
}

function unindexSession(document: StoreDocument, username: string, sessionKey: string): void {
  const index = document.users[key(username)];
  if (!index) return;
  delete index[sessionKey];
  if (Object.keys(index).length === 0) delete document.users[key(username)];
}

/** Removes a session (by its key) and its index entry. */
function removeSession(document: StoreDocument, sessionKey: string): void {
  const entry = document.sessions[sessionKey];
  if (!entry) return;
  delete document.sessions[sessionKey];
  unindexSession(document, entry.record.username, sessionKey);
}

/**
 * A store over one plain document: `load` gives it, `save` keeps it after a change. The memory
 * store keeps it in a variable; mock mode keeps it in Web Storage (mocks/web-storage-store.ts).
 * Every operation is synchronous inside, so each is atomic in a single-threaded runtime.
 */
export function createDocumentStore(load: () => StoreDocument, save: (document: StoreDocument) => void): Store {
  const change = <T>(update: (document: StoreDocument) => T): T => {
    const document = load();
    const result = update(document);
    save(document);
    return result;
  };

  return {
    ...createDocumentNotes(load, change),
    async create(record, expiresAt) {
      change((document) => {
        document.sessions[key(record.idHash)] = { record: { ...record }, expiresAt };
        indexSession(document, record.username, key(record.idHash));
      });
    },
    async get(idHash) {
      const entry = load().sessions[key(idHash)];
      return entry && { ...entry.record };
    },
    async extend(idHash, activityAt, now, limits) {
      return change((document) => {
        const entry = document.sessions[key(idHash)];
        const record = entry && extendedRecord(entry.record, activityAt, now, limits);
        if (!record) return undefined;
        document.sessions[key(idHash)] = { record, expiresAt: expiresAt(record, limits) };
        return { ...record };
      });
    },
    async delete(idHash) {
      change((document) => removeSession(document, key(idHash)));
    },
    async listByUser(username, now) {
      return change((document) => {
        const live: SessionRecord[] = [];
        for (const sessionKey of Object.keys(document.users[key(username)] ?? {})) {
          const entry = document.sessions[sessionKey];
          if (!entry) unindexSession(document, username, sessionKey);
          else if (entry.expiresAt > now && !entry.record.revoked) live.push({ ...entry.record });
        }
        return live;
      });
    },
    async revoke(username, idHash, now) {
      return change((document) => {
        const entry = document.sessions[key(idHash)];
        if (!entry || entry.record.username !== username || entry.record.revoked || entry.expiresAt <= now)
          return false;
        entry.record = { ...entry.record, revoked: true };
        unindexSession(document, username, key(idHash));
        return true;
      });
    },
    async markReauthenticated(idHash, at) {
      return change((document) => {
        const entry = document.sessions[key(idHash)];
        if (!entry || entry.record.revoked) return false;
        entry.record = { ...entry.record, reauthenticatedAt: at };
        return true;
      });
    },
    async listLive(now) {
      const sessions = load().sessions;
      return Object.values(sessions)
        .filter((entry) => entry.expiresAt > now && !entry.record.revoked)
        .map((entry) => ({ ...entry.record }));
    },
    async countLive(now, endingBy = Infinity) {
      let count = 0;
      for (const entry of Object.values(load().sessions))
        if (entry.expiresAt > now && entry.expiresAt <= endingBy && !entry.record.revoked) count++;
      return count;
    },
    async revokeAll(now, username) {
      return change((document) => {
        let ended = 0;
        for (const [sessionKey, entry] of Object.entries(document.sessions)) {
          if (entry.expiresAt <= now || entry.record.revoked) continue;
          if (username !== undefined && entry.record.username !== username) continue;
          entry.record = { ...entry.record, revoked: true, revokedBy: 'operator' };
          unindexSession(document, entry.record.username, sessionKey);
          ended++;
        }
        return ended;
      });
    },
    async purgeExpired(now) {
      return change((document) => {
        const expired = Object.keys(document.sessions).filter(
          (sessionKey) => document.sessions[sessionKey].expiresAt <= now,
        );
        for (const sessionKey of expired) removeSession(document, sessionKey);
        for (const [counterKey, counter] of Object.entries(document.failures))
          if (counter.resetAt <= now) delete document.failures[counterKey];
        for (const [tokenKey, token] of Object.entries(document.deviceTokens))
          if (token.expiresAt <= now) delete document.deviceTokens[tokenKey];
        return expired.length;
      });
    },
    async getFailures(counterKey, now) {
      const counter = load().failures[key(counterKey)];
      return counter && counter.resetAt > now ? { ...counter } : undefined;
    },
    async addFailure(counterKey, now, windowMs) {
      return change((document) => {
        const current = document.failures[key(counterKey)];
        const next =
          current && current.resetAt > now
            ? { count: current.count + 1, resetAt: current.resetAt }
            : { count: 1, resetAt: now + windowMs };
        document.failures[key(counterKey)] = next;
        return { ...next };
      });
    },
    async clearFailures(counterKey) {
      change((document) => void delete document.failures[key(counterKey)]);
    },
    async takeBackFailure(counterKey, now) {
      change((document) => {
        const counter = document.failures[key(counterKey)];
        if (counter && counter.resetAt > now && counter.count > 0) counter.count--;
      });
    },
    async saveDeviceToken(tokenHash, username, expiresAt) {
      change((document) => void (document.deviceTokens[key(tokenHash)] = { username, expiresAt }));
    },
    async getDeviceToken(tokenHash, now) {
      const token = load().deviceTokens[key(tokenHash)];
      return token && token.expiresAt > now ? token.username : undefined;
    },
    async deleteDeviceToken(tokenHash) {
      change((document) => void delete document.deviceTokens[key(tokenHash)]);
    },
    async deleteDeviceTokensOfUser(username, keepHash) {
      return change((document) => {
        const kept = keepHash === undefined ? undefined : key(keepHash);
        const forgotten = Object.keys(document.deviceTokens).filter(
          (tokenKey) => tokenKey !== kept && document.deviceTokens[tokenKey].username === username,
        );
        for (const tokenKey of forgotten) delete document.deviceTokens[tokenKey];
        return forgotten.length;
      });
    },
    async ping() {},
    async close() {},
  };
}

/** An in-process store for tests and mock mode. Sessions are lost when the process ends. */
export function createMemoryStore(): Store {
  const document = emptyStoreDocument();
  return createDocumentStore(
    () => document,
    () => {},
  );
}
