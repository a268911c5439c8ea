// Web Crypto only (no node:crypto): the MSW mock runs these same rules in the browser.

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

/** What the store keeps instead of the id: a leaked store holds no usable session. */
export async function hashSessionId(id: string): Promise<string> {
  return base64url(await sha256(id));
}

/** Session ids look exactly like `newSessionId()` output; anything else is not looked up. */
export function isWellFormedSessionId(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/** The store key for a cookie value, or undefined when the value cannot be a session id (never looked up). */
export async function hashWellFormedSessionId(id: string | undefined): Promise<string | undefined> {
  return id !== undefined && isWellFormedSessionId(id) ? hashSessionId(id) : undefined;
}

/** A short, non-reversible reference to a session for logs. */
export function sessionLogRef(idHash: string): string {
  return idHash.slice(0, 8);
}
