/**
 * Login throttling under a burst of parallel guesses: each attempt is counted before it is
 * checked, and an attempt a limit refuses gives its counts back.
 */
import { describe, expect, it } from 'vitest';
import { apiClient, storeKinds, useTestApps } from './helpers';

const { inProcess } = useTestApps();

describe.each(storeKinds)('with the %s store', (kind) => {
  it('lets exactly the per-(username, client) limit of 40 parallel wrong guesses through to the password check', async () => {
    const server = await inProcess({ store: kind });
    const api = apiClient(server);
    const guess = () => api.signIn('alice', 'guess').then((response) => response.status);
    const statuses = await Promise.all(Array.from({ length: 40 }, guess));
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(35);
  });

  it('counts only the 5 real failures against the username: 5 more from another address still reach the check', async () => {
    const server = await inProcess({ store: kind });
    const api = apiClient(server);
    const guess = (client: string) =>
      api.signIn('alice', 'guess', { headers: { 'X-Test-Client': client } }).then((response) => response.status);
    await Promise.all(Array.from({ length: 40 }, () => guess('203.0.113.7')));

    const fromAnother = await Promise.all(Array.from({ length: 10 }, () => guess('198.51.100.9')));

    // The new-device limit (10) is reached by 5 + 5 real failures, not by the 35 refused ones.
    expect(fromAnother.filter((status) => status === 401)).toHaveLength(5);
    expect(fromAnother.filter((status) => status === 429)).toHaveLength(5);
  });
});
