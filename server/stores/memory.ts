import { expiresAt, extendedRecord, type SessionRecord } from '../session/expiry';
import { createDocumentNotes, type NotesDocument } from './memory-notes';
import type { DeviceTokenRecord, FailureCounter, SessionStore } from './store';

/** Everything a document store holds, as plain data. */
export interface StoreDocument extends NotesDocument {
  sessions: Record<string, { record: SessionRecord; expiresAt: number }>;
  failures: Record<string, FailureCounter>;
  /** The per-user index: username -> the id hashes of that user's sessions (as keys, value 1). */
  users: Record<string, Record<string, 1>>;
  deviceTokens: Record<string, DeviceTokenRecord>;
}

export const emptyStoreDocument = (): StoreDocument => ({ sessions: {}, failures: {}, users: {}, deviceTokens: {} });

/** A map that takes any string as a key, "__proto__" included. */
const emptyMap = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

function indexSession(document: StoreDocument, username: string, idHash: string): void {
  (document.users[username] ??= emptyMap())[idHash] = 1;
}

function unindexSession(document: StoreDocument, username: string, idHash: string): void {
  const index = document.users[username];
  if (!index) return;
  delete index[idHash];
  if (Object.keys(index).length === 0) delete document.users[username];
}

/** Removes a session and its index entry. */
function removeSession(document: StoreDocument, idHash: string): void {
  const entry = document.sessions[idHash];
  if (!entry) return;
  delete document.sessions[idHash];
  unindexSession(document, entry.record.username, idHash);
}

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
    ...createDocumentNotes(load, change),
    async create(record, expiresAt) {
      change((document) => {
        document.sessions[record.idHash] = { record: { ...record }, expiresAt };
        indexSession(document, record.username, record.idHash);
      });
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
      change((document) => removeSession(document, idHash));
    },
    async listByUser(username, now) {
      return change((document) => {
        const live: SessionRecord[] = [];
        for (const idHash of Object.keys(document.users[username] ?? {})) {
          const entry = document.sessions[idHash];
          if (!entry) unindexSession(document, username, idHash);
          else if (entry.expiresAt > now && !entry.record.revoked) live.push({ ...entry.record });
        }
        return live;
      });
    },
    async revoke(username, idHash, now) {
      return change((document) => {
        const entry = document.sessions[idHash];
        if (!entry || entry.record.username !== username || entry.record.revoked || entry.expiresAt <= now)
          return false;
        entry.record = { ...entry.record, revoked: true };
        unindexSession(document, username, idHash);
        return true;
      });
    },
    async markReauthenticated(idHash, at) {
      return change((document) => {
        const entry = document.sessions[idHash];
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
        for (const [idHash, entry] of Object.entries(document.sessions)) {
          if (entry.expiresAt <= now || entry.record.revoked) continue;
          if (username !== undefined && entry.record.username !== username) continue;
          entry.record = { ...entry.record, revoked: true, revokedBy: 'operator' };
          unindexSession(document, entry.record.username, idHash);
          ended++;
        }
        return ended;
      });
    },
    async purgeExpired(now) {
      return change((document) => {
        const expired = Object.keys(document.sessions).filter((idHash) => document.sessions[idHash].expiresAt <= now);
        for (const idHash of expired) removeSession(document, idHash);
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
    async deleteDeviceTokensOfUser(username, keepHash) {
      return change((document) => {
        const forgotten = Object.keys(document.deviceTokens).filter(
          (tokenHash) => tokenHash !== keepHash && document.deviceTokens[tokenHash].username === username,
        );
        for (const tokenHash of forgotten) delete document.deviceTokens[tokenHash];
        return forgotten.length;
      });
    },
    async ping() {},
    async close() {},
  };
}

/** An in-process store for tests and mock mode. Sessions are lost when the process ends. */
export function createMemoryStore(): SessionStore {
  // Object.create(null) maps: a key like "__proto__" is just a key.
  const document: StoreDocument = {
    sessions: emptyMap(),
    failures: emptyMap(),
    users: emptyMap(),
    deviceTokens: emptyMap(),
  };
  return createDocumentStore(
    () => document,
    () => {},
  );
}
