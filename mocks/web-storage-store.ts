/**
 * A SessionStore kept in Web Storage, for mock mode in the browser: with `localStorage`, a
 * reload keeps the user signed in and every tab of the origin sees the same sessions, as they
 * would with the real server. Each operation reads and writes one JSON document; fine for one
 * person clicking around, not meant for anything else.
 */
import { createDocumentStore, emptyStoreDocument, type StoreDocument } from '../server/stores/memory';
import type { SessionStore } from '../server/stores/store';

/** The store as one JSON document under `key` in `storage`. */
export function createWebStorageStore(storage: Storage, key: string): SessionStore {
  return createDocumentStore(
    () => {
      try {
        const parsed = JSON.parse(storage.getItem(key) ?? 'null') as StoreDocument | null;
        if (
          parsed &&
          typeof parsed.sessions === 'object' &&
          typeof parsed.failures === 'object' &&
          typeof parsed.users === 'object'
        ) {
          // A document saved before device tokens existed gets an empty set of them.
          return { ...parsed, deviceTokens: typeof parsed.deviceTokens === 'object' ? parsed.deviceTokens : {} };
        }
      } catch {
        // A document damaged by hand in devtools starts over.
      }
      return emptyStoreDocument();
    },
    (document) => storage.setItem(key, JSON.stringify(document)),
  );
}
