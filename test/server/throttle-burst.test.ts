/** Login throttling under a burst of parallel guesses: each attempt is counted before it is checked. */
import { describe, expect, it } from 'vitest';
import { createStore, storeKinds, useTestServers } from './helpers';

const start = useTestServers();

describe.each(storeKinds)('with the %s store', (kind) => {
  it('lets no more than the limit of 40 parallel wrong guesses through to the password check', async () => {
    const server = await start({ store: createStore(kind) });
    const guess = () =>
      fetch(`${server.url}/api/session`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'guess' }),
      }).then((response) => response.status);
    const statuses = await Promise.all(Array.from({ length: 40 }, guess));
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(35);
  });
});
