/**
 * The document stores' one key-safety scheme (memory.ts, memory-notes.ts, and mock mode's
 * mocks/web-storage-store.ts): every name used as a property key (a username, an id hash, a
 * counter key, a note id) carries this prefix, so "__proto__", "constructor" or
 * "hasOwnProperty" is just a key. It holds for any plain object, one from JSON.parse included,
 * which `Object.create(null)` maps would not survive.
 */
export const documentKey = (name: string): string => `:${name}`;
