/**
 * The built SPA served next to the API (server/routes/spa.ts): caching, fallback, traversal,
 * headers, precompressed files, no source maps.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { defaultSessionConfig } from '../../server/session/policy';
import { createMemoryLogger } from '../../server/logger';
import { spaRoutes } from '../../server/routes/spa';
import { createMemoryStore } from '../../server/stores/memory';
import { precompress } from '../../scripts/build.mjs';
import { serveBuiltOnEphemeralPort } from '../support/ephemeral-port';
import { rawRequest, useTempDirs } from './helpers';

const tempDir = useTempDirs('idle-session-spa-');

// Long enough that compressing them pays (the build keeps a .br or .gz only when it is smaller).
const indexHtml = `<!doctype html><title>Idle session</title><div id="root"></div>${'<!-- padding -->'.repeat(20)}`;
const appJs = 'console.log("app");\n'.repeat(20);
const secret = 'TOP SECRET: outside the static folder';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/**
 * A server for a built SPA in `<tmp>/dist`, with files outside it that must never be served:
 * `<tmp>/package.json` and `<tmp>/dist-other/package.json` (a sibling whose name starts like dist).
 */
async function startWithSpa({ built = true } = {}) {
  const root = await tempDir();
  const dist = join(root, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await mkdir(join(root, 'dist-other'));
  if (built) {
    await writeFile(join(dist, 'index.html'), indexHtml);
    await writeFile(join(dist, 'assets', 'app-abc123.js'), appJs);
    await writeFile(join(dist, 'robots.txt'), 'User-agent: *');
    await writeFile(join(dist, 'assets', 'app-abc123.js.map'), '{"version":3,"sources":["SECRET.ts"]}');
    // As the build does: .br and .gz beside each file (when smaller; these are made so).
    precompress(dist);
  }
  await writeFile(join(root, 'package.json'), JSON.stringify({ secret }));
  await writeFile(join(root, 'dist-other', 'package.json'), JSON.stringify({ secret }));
  // Built once the port, and so the public origin, is known.
  const server = await serveBuiltOnEphemeralPort(
    (url) =>
      createApp({
        store: createMemoryStore(),
        config: { session: defaultSessionConfig, publicOrigins: [url] },
        logger: createMemoryLogger(),
        pages: spaRoutes(dist),
      }).fetch,
  );
  servers.push(server);
  return server;
}

describe('hashed assets', () => {
  it('are served with their type and cached for a year, immutable', async () => {
    const { url } = await startWithSpa();

    const response = await fetch(`${url}/assets/app-abc123.js`);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(appJs);
    expect(response.headers.get('Content-Type')).toMatch(/^text\/javascript/);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=31536000, immutable');
  });

  it('answer 404 when missing, never index.html', async () => {
    const { url } = await startWithSpa();

    for (const path of ['/missing.js', '/assets/app-000000.js', '/favicon.ico']) {
      const response = await fetch(url + path);
      expect(`${path} ${response.status}`).toBe(`${path} 404`);
      expect(await response.text()).not.toContain('<div id="root">');
    }
  });
});

describe('pages', () => {
  it.each(['/', '/account', '/login?next=%2Faccount', '/deep/client/route', '/index.html'])(
    '%s is index.html, never cached',
    async (path) => {
      const { url } = await startWithSpa();

      const response = await fetch(url + path);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe(indexHtml);
      expect(response.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(response.headers.get('Cache-Control')).toBe('no-store');
    },
  );

  it('other files outside /assets are revalidated, not cached immutable', async () => {
    const { url } = await startWithSpa();

    const response = await fetch(`${url}/robots.txt`);

    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('no-cache');
  });

  it('say the app is not built when there is no index.html', async () => {
    const { url } = await startWithSpa({ built: false });

    const response = await fetch(`${url}/`);

    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/not built/);
  });
});

describe('path traversal', () => {
  it.each([
    '/../package.json',
    '/%2e%2e/package.json',
    '/%2E%2E/package.json',
    '/..%2fpackage.json',
    '/%2e%2e%2fpackage.json',
    '/assets/../../package.json',
    '/assets/..%2f..%2fpackage.json',
    '/..%5cpackage.json',
    '/..\\package.json',
    '/../dist-other/package.json',
    '/%2e%2e/dist-other/package.json',
    '/..%2fdist-other%2fpackage.json',
    '/%00/../package.json',
    '/%E0%A4%A/../package.json',
  ])('%s does not leave the static folder', async (path) => {
    const { url } = await startWithSpa();

    const response = await rawRequest(url, { path });

    expect(response.status).toBeLessThan(500);
    expect(response.body).not.toContain('SECRET');
  });
});

describe('the API next to the pages', () => {
  it('still answers JSON, and an unknown /api path is a JSON 404, not index.html', async () => {
    const { url } = await startWithSpa();

    const health = await fetch(`${url}/api/health`);
    const unknown = await fetch(`${url}/api/nowhere`);

    expect(await health.json()).toEqual({ status: 'ok' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('security headers', () => {
  it.each(['/', '/account', '/assets/app-abc123.js', '/missing.js'])(
    'on the page or file %s are the document set',
    async (path) => {
      const { url } = await startWithSpa();

      const response = await fetch(url + path);

      const csp = response.headers.get('Content-Security-Policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(response.headers.get('Referrer-Policy')).toBe('no-referrer');
      expect(response.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
      expect(response.headers.get('Permissions-Policy')).toBe('camera=(), microphone=(), geolocation=()');
    },
  );

  it.each(['/api/health', '/api/session', '/api/nowhere'])('on %s are the API set, beside the pages', async (path) => {
    const { url } = await startWithSpa();

    const response = await fetch(url + path);

    expect(response.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(response.headers.get('Cache-Control')).toBe('no-store');
    expect(response.headers.get('Permissions-Policy')).toBeNull();
  });
});

describe('source maps', () => {
  it('are never served, though the build writes them', async () => {
    const { url } = await startWithSpa();

    const response = await fetch(`${url}/assets/app-abc123.js.map`);

    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('SECRET');
  });
});

describe('compression', () => {
  it('sends the precompressed index.html for a page route, with Vary', async () => {
    const { url } = await startWithSpa();

    for (const path of ['/', '/account']) {
      const response = await fetch(url + path, { headers: { 'Accept-Encoding': 'br' } });
      expect(response.headers.get('Content-Encoding')).toBe('br');
      expect(response.headers.get('Vary')).toBe('Accept-Encoding');
      expect(response.headers.get('Cache-Control')).toBe('no-store');
      expect(await response.text()).toBe(indexHtml);
    }
  });

  it('is never done per request: a file without a compressed copy is sent as it is', async () => {
    const { url } = await startWithSpa();

    const response = await fetch(`${url}/robots.txt`, { headers: { 'Accept-Encoding': 'gzip, br' } });

    expect(response.headers.get('Content-Encoding')).toBeNull();
    expect(await response.text()).toBe('User-agent: *');
  });

  it('sends brotli or gzip when the browser accepts it, and plain bytes otherwise', async () => {
    const { url } = await startWithSpa();
    const brotli = await fetch(`${url}/assets/app-abc123.js`, { headers: { 'Accept-Encoding': 'gzip, br' } });
    expect(brotli.headers.get('Content-Encoding')).toBe('br');
    expect(brotli.headers.get('Vary')).toBe('Accept-Encoding');
    expect(await brotli.text()).toBe(appJs);

    const gzip = await fetch(`${url}/`, { headers: { 'Accept-Encoding': 'gzip, br;q=0' } });
    expect(gzip.headers.get('Content-Encoding')).toBe('gzip');
    expect(await gzip.text()).toBe(indexHtml);

    for (const odd of ['', ';;;', 'br;q=', 'gzip;q=abc, ,', 'x'.repeat(4000), '*']) {
      const response = await fetch(`${url}/assets/app-abc123.js`, { headers: { 'Accept-Encoding': odd } });
      expect(response.status, `Accept-Encoding: ${odd.slice(0, 20)}`).toBe(200);
      expect(await response.text()).toBe(appJs);
    }

    const plain = await fetch(`${url}/assets/app-abc123.js`, { headers: { 'Accept-Encoding': 'identity' } });
    expect(plain.headers.get('Content-Encoding')).toBeNull();
    expect(await plain.text()).toBe(appJs);
  });
});
