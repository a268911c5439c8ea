/** The Node server hashes with node:crypto, the mock with Web Crypto: both must give the same values. */
import { describe, expect, it } from 'vitest';
import { passwordMatches } from '../../server/session/credentials';
import { newSessionId, webDigests } from '../../server/session/ids';
import { nodeDigests } from '../../server/session/node-digests';

const inputs = ['', 'test_secret', 'Zoë ✓ \u0000 𝄞', newSessionId(), 'x'.repeat(5000)];

describe('nodeDigests', () => {
  it.each(inputs.map((input) => [input.slice(0, 20), input]))('agrees with Web Crypto on %j', async (_name, input) => {
    expect(new Uint8Array(nodeDigests.sha256(input) as Uint8Array)).toEqual(await webDigests.sha256(input));
    expect(nodeDigests.hashSessionId(input)).toBe(await webDigests.hashSessionId(input));
  });

  it('answers synchronously (no thread-pool round trip)', () => {
    expect(typeof nodeDigests.hashSessionId('abc')).toBe('string');
  });

  it('checks passwords as Web Crypto does', async () => {
    expect(await passwordMatches('Zoë', 'Zoë_secret', nodeDigests)).toBe(true);
    expect(await passwordMatches('Zoë', 'Zoe_secret', nodeDigests)).toBe(false);
  });
});
