/** X-Forwarded-* headers: believed only behind a trusted proxy (TRUST_PROXY), ignored otherwise. */
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../support/test-server';
import { apiClient, useTestApps } from './helpers';

const { inProcess } = useTestApps();

function signIn(server: TestApp, headers: Record<string, string> = {}, password = 'test_secret') {
  return apiClient(server).signIn('test', password, { headers });
}

describe('without TRUST_PROXY', () => {
  it('ignores X-Forwarded-Proto: the cookie stays `sid` without Secure', async () => {
    const server = await inProcess();
    const setCookie = (await signIn(server, { 'X-Forwarded-Proto': 'https' })).headers.get('Set-Cookie')!;
    expect(setCookie).toMatch(/^sid=/);
    expect(setCookie).not.toMatch(/Secure/i);
  });

  it('ignores X-Forwarded-Host: an Origin matching only the forwarded host is cross-site', async () => {
    const server = await inProcess();
    const response = await signIn(server, { Origin: 'https://app.example', 'X-Forwarded-Host': 'app.example' });
    expect(response.status).toBe(403);
  });

  it('ignores X-Forwarded-For: a client cannot dodge login throttling by inventing addresses', async () => {
    const server = await inProcess({ session: { maxFailuresPerClient: 3, maxFailuresPerUserAndClient: 100 } });
    for (let i = 0; i < 3; i++) await signIn(server, { 'X-Forwarded-For': `10.0.0.${i}` }, 'wrong');
    expect((await signIn(server, { 'X-Forwarded-For': '10.0.0.99' })).status).toBe(429);
  });
});

describe('with TRUST_PROXY', () => {
  it('accepts the Origin of the host the browser asked the proxy for', async () => {
    const server = await inProcess({ trustProxy: true, publicOrigins: ['https://app.example'] });
    const response = await signIn(server, {
      Origin: 'https://app.example',
      'X-Forwarded-Host': 'app.example',
      'X-Forwarded-Proto': 'https',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('Set-Cookie')).toMatch(/^__Host-sid=.*Secure/i);
  });

  it('counts login failures per forwarded client address', async () => {
    const server = await inProcess({
      trustProxy: true,
      session: { maxFailuresPerClient: 3, maxFailuresPerUserAndClient: 100 },
    });
    for (let i = 0; i < 3; i++) await signIn(server, { 'X-Forwarded-For': '203.0.113.7' }, 'wrong');
    expect((await signIn(server, { 'X-Forwarded-For': '203.0.113.7' })).status).toBe(429);
    expect((await signIn(server, { 'X-Forwarded-For': '10.0.0.1, 198.51.100.2' })).status).toBe(201);
  });

  it('takes the address our proxy appended, not one the client put in front of it', async () => {
    const server = await inProcess({
      trustProxy: true,
      session: { maxFailuresPerClient: 3, maxFailuresPerUserAndClient: 100 },
    });
    for (let i = 0; i < 3; i++) await signIn(server, { 'X-Forwarded-For': `10.9.9.${i}, 203.0.113.7` }, 'wrong');
    expect((await signIn(server, { 'X-Forwarded-For': '10.9.9.200, 203.0.113.7' })).status).toBe(429);
  });

  it.each([
    ['a port', ['198.18.0.8:1001', '198.18.0.8:1002', '198.18.0.8:1003', '198.18.0.8']],
    ['brackets and ports', ['[2001:db8::1]:443', '[2001:db8::1]', '[2001:db8::2]:8443', '2001:db8::3']],
  ])('strips %s: every form of one client is that one client', async (_, forms) => {
    const server = await inProcess({
      trustProxy: true,
      session: { maxFailuresPerClient: 3, maxFailuresPerUserAndClient: 100, maxFailuresPerUserFromNewDevices: 100 },
    });
    for (const form of forms.slice(0, 3)) {
      expect((await signIn(server, { 'X-Forwarded-For': form }, 'wrong')).status).toBe(401);
    }
    expect((await signIn(server, { 'X-Forwarded-For': forms[3] })).status).toBe(429);
  });

  it.each([
    'not-an-ip',
    '198.18.0.999',
    '198.18.0.8:http',
    '[198.18.0.8]',
    '2001:db8::1::2',
    '[2001:db8::1',
    'unknown',
  ])('counts an unparsable %j as the proxy itself, never as a fresh client', async (value) => {
    const server = await inProcess({
      trustProxy: true,
      session: { maxFailuresPerClient: 3, maxFailuresPerUserAndClient: 100, maxFailuresPerUserFromNewDevices: 100 },
    });
    // The proxy's own address (X-Test-Client) has used its budget.
    for (let i = 0; i < 3; i++) await signIn(server, { 'X-Forwarded-For': `${value}` }, 'wrong');
    expect((await signIn(server, { 'X-Test-Client': '127.0.0.1' })).status).toBe(429);
  });
});
