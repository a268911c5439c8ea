/**
 * Request ids and the health split (issue 21): every answer carries `X-Request-Id` (a proxy's
 * only with TRUST_PROXY and only when well-formed), every log line of the request and every
 * error body carry the same id; `/api/health/live` answers while the process runs, and
 * `/api/health/ready` is 503 while the store is down or the server drains.
 */
import { describe, expect, it } from 'vitest';
import { apiClient, json, logEntries, useTestApps, withFailingPing } from './helpers';
import { createStore } from './helpers';

const { inProcess } = useTestApps();
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('X-Request-Id', () => {
  it('is on every answer, new for each request: API, errors, pages, 404 and 405', async () => {
    const app = await inProcess();
    const api = apiClient(app);
    const answers = [
      await api.signIn(),
      await api.getSession(),
      await api.call('/api/session/policy'),
      await api.call('/api/nope'),
      await api.call('/api/hello', { method: 'PUT', headers: { Origin: app.origin } }),
      await api.call('/some/page'),
      await api.call('/api/health/live'),
    ];
    const ids = answers.map((answer) => answer.headers.get('X-Request-Id'));
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is in the error body and in every log line of that request', async () => {
    const app = await inProcess();
    const api = apiClient(app);
    const failed = await api.signIn('alice', 'wrong');
    const id = failed.headers.get('X-Request-Id');
    expect(((await failed.json()) as { requestId: string }).requestId).toBe(id);
    const ok = await api.signIn('bob');
    const lines = logEntries(app.logs);
    expect(lines.filter((line) => line.requestId === id).map((line) => line.event)).toEqual(['sign_in']);
    expect(lines.find((line) => line.user === 'bob')?.requestId).toBe(ok.headers.get('X-Request-Id'));
    expect(lines.every((line) => typeof line.requestId === 'string')).toBe(true);
  });

  it("is the proxy's with TRUST_PROXY when it is well-formed, and a new one otherwise", async () => {
    const trusting = apiClient(await inProcess({ trustProxy: true }));
    const idOf = async (sent: string | undefined, api = trusting) =>
      (
        await api.call('/api/session/policy', { headers: sent === undefined ? {} : { 'X-Request-Id': sent } })
      ).headers.get('X-Request-Id');
    expect(await idOf('4bf92f3577b34da6a3ce929d0e0e4736')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(await idOf('req-1:2/3+4=._')).toBe('req-1:2/3+4=._');
    for (const bad of ['', 'a b', 'x'.repeat(129), 'id"quote', 'ünïcode', 'a,b']) expect(await idOf(bad)).toMatch(uuid);
    expect(await idOf('x'.repeat(128))).toBe('x'.repeat(128));

    const untrusting = apiClient(await inProcess());
    expect(await idOf('from-the-client', untrusting)).toMatch(uuid);
  });

  it('never turns a hostile id into a 5xx or into a log line of its own', async () => {
    const app = await inProcess({ trustProxy: true });
    const api = apiClient(app);
    const answer = await api.signIn('alice', 'wrong', { headers: { 'X-Request-Id': `x" } {"event":"forged` } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('X-Request-Id')).toMatch(uuid);
    expect(logEntries(app.logs).map((line) => line.event)).toEqual(['sign_in']);
  });
});

describe('/api/health/live and /api/health/ready', () => {
  it('live answers 200 while the process runs, whatever the store; ready follows the store', async () => {
    const store = withFailingPing(createStore('memory'));
    const api = apiClient(await inProcess({ store }));
    const live = await api.call('/api/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    const ready = await api.call('/api/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('Retry-After')).toBe('2');
    expect(await ready.json()).toEqual({ status: 'unavailable' });

    const healthy = apiClient(await inProcess());
    expect((await healthy.call('/api/health/ready')).status).toBe(200);
  });

  it('ready answers 503 draining while the server drains, and the rest is still served', async () => {
    let draining = false;
    const api = apiClient(await inProcess({ readiness: { draining: () => draining } }));
    expect((await api.call('/api/health/ready')).status).toBe(200);
    draining = true;
    const ready = await api.call('/api/health/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect((await api.call('/api/health/live')).status).toBe(200);
    expect((await api.signIn()).status).toBe(201);
  });

  it('answer for any Host (load balancers call by address), 405 to other methods, 404 below them', async () => {
    const app = await inProcess();
    const api = apiClient(app);
    for (const path of ['/api/health', '/api/health/live', '/api/health/ready'])
      expect((await api.call(path, { headers: { Host: '10.0.0.7:3000' } })).status).toBe(200);
    expect((await api.call('/api/hello', { headers: { Host: '10.0.0.7:3000' } })).status).toBe(421);
    const post = await api.call('/api/health/ready', { method: 'POST', headers: { ...json, Origin: app.origin } });
    expect(post.status).toBe(405);
    expect(post.headers.get('Allow')).toBe('GET');
    expect((await api.call('/api/health/live/x')).status).toBe(404);
  });
});
