/** Login throttling under a burst of parallel guesses: each attempt is counted before it is checked. */
import { describe, expect, it } from 'vitest';
import { apiClient, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

describe.each(storeKinds)('with the %s store', (kind) => {
  it('lets no more than the limit of 40 parallel wrong guesses through to the password check', async () => {
    const server = await inProcess({ store: kind });
    const api = apiClient(server);
    const guess = () => api.signIn('alice', 'guess').then((response) => response.status);
    const statuses = await Promise.all(Array.from({ length: 40 }, guess));
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(35);
  });
});
