/**
 * A store (sessions and notes) kept in Web Storage, for mock mode in the browser: with `localStorage`, a
 * reload keeps the user signed in and every tab of the origin sees the same sessions, as they
 * would with the real server. Each operation reads and writes one JSON document; fine for one
 * person clicking around, not meant for anything else. Its objects come from JSON.parse, so they
 * have Object.prototype: the document store's prefixed keys (server/stores/document-key.ts) make
 * a name like "__proto__" just a key here too.
 */
import { createDocumentStore, emptyStoreDocument, type StoreDocument } from '../server/stores/memory';
import type { Store } from '../server/stores/store';

/**
 * The document's shape: 2 since every key is prefixed. A document of another version (saved by an
 * older mock, or damaged by hand in devtools) starts over: mock mode signs in again.
 */
const version = 2;

/** The store as one JSON document under `key` in `storage`. */
export function createWebStorageStore(storage: Storage, key: string): Store {
  return createDocumentStore(
    () => {
      try {
        const parsed = JSON.parse(storage.getItem(key) ?? 'null') as (StoreDocument & { version?: number }) | null;
        if (parsed?.version === version) {
          const { version: _version, ...document } = parsed;
          return document;
        }
      } catch {
        // Not JSON: starts over, as above.
      }
      return emptyStoreDocument();
    },
    (document) => storage.setItem(key, JSON.stringify({ ...document, version })),
  );
}
