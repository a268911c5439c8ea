import { hash } from 'node:crypto';
import type { Digests } from './ids';

/**
 * The digests of ids.ts with node:crypto: the same values, computed synchronously on the main
 * thread (a SHA-256 of 43 characters takes about a microsecond; Web Crypto's round trip through
 * libuv's thread pool costs far more). For the Node server only: the mock keeps Web Crypto.
 */
export const nodeDigests: Digests = {
  sha256: (text) => hash('sha256', text, 'buffer'),
  hashSessionId: (id) => hash('sha256', id, 'base64url'),
};
