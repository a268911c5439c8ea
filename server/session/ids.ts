// Web Crypto only (no node:crypto): the MSW mock runs these same rules in the browser. The Node
// server passes node-digests.ts instead, which gives the same bytes synchronously.

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** SHA-256 of a UTF-8 string. */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** A new session id: 32 bytes from the CSPRNG, base64url (43 characters). */
export function newSessionId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * A session's public handle: 16 bytes from the CSPRNG (base64url, 22 characters), drawn apart
 * from the id, so knowing it (the session list shows it) tells nothing about any cookie.
 */
export function newPublicId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** Public ids look exactly like `newPublicId()` output; anything else is not looked up. */
export function isWellFormedPublicId(value: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(value);
}

/** What the store keeps instead of the id: a leaked store holds no usable session. */
export async function hashSessionId(id: string): Promise<string> {
  return base64url(await sha256(id));
}

/**
 * The hashing the session rules use. Web Crypto (`webDigests`) works everywhere but is
 * asynchronous (in Node a round trip through the thread pool per call); the Node server passes
 * `nodeDigests` (node-digests.ts), which computes the same values synchronously.
 */
export interface Digests {
  /** SHA-256 of a UTF-8 string. */
  sha256(text: string): Uint8Array | Promise<Uint8Array>;
  /** What the store keeps instead of a session id: its SHA-256, base64url. */
  hashSessionId(id: string): string | Promise<string>;
}

export const webDigests: Digests = { sha256, hashSessionId };

/** Session ids look exactly like `newSessionId()` output; anything else is not looked up. */
export function isWellFormedSessionId(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The store key for a cookie value, or undefined when the value cannot be a session id (never looked up). */
export async function hashWellFormedSessionId(
  id: string | undefined,
  digests: Pick<Digests, 'hashSessionId'> = webDigests,
): Promise<string | undefined> {
  return id !== undefined && isWellFormedSessionId(id) ? digests.hashSessionId(id) : undefined;
}

/** A short, non-reversible reference to a session for logs. */
export function sessionLogRef(idHash: string): string {
  return idHash.slice(0, 8);
}
