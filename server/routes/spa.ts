import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { Hono, type Context } from 'hono';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function readIfFile(path: string): Promise<Buffer | undefined> {
  try {
    return (await stat(path)).isFile() ? await readFile(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The built SPA from `dir`: files as they are, and `index.html` for every other path without a
 * file extension (client-side routes). Hashed files under `/assets/` never change, so browsers
 * keep them a year; HTML is `no-store` so a deploy or a sign-out is never hidden by a cache.
 */
export function spaRoutes(dir: string) {
  const root = resolve(dir);
  const app = new Hono();
  // Hashed assets never change: each is compressed once, on first request.
  const compressedAssets = new Map<string, Uint8Array<ArrayBuffer>>();

  /** `filePath` is the resolved file: `/assets//x.js` and `/assets/x.js` share one cache entry. */
  function send(
    c: Context,
    body: Buffer,
    pathname: string,
    filePath: string,
    headers: Record<string, string>,
  ): Response {
    const encoding = compressible.has(extname(pathname) || '.html')
      ? preferredEncoding(c.req.header('Accept-Encoding'))
      : undefined;
    if (!encoding) return c.body(new Uint8Array(body), 200, headers);
    const key = `${encoding}:${filePath}`;
    let encoded = compressedAssets.get(key);
    if (!encoded) {
      encoded = new Uint8Array(
        encoding === 'br' ? brotliCompressSync(body, brotliOptions) : gzipSync(body, { level: 9 }),
      );
      if (pathname.startsWith('/assets/')) compressedAssets.set(key, encoded);
    }
    return c.body(encoded, 200, { ...headers, 'Content-Encoding': encoding, Vary: 'Accept-Encoding' });
  }

  app.get('*', async (c) => {
    const pathname = decodeURIComponentSafe(new URL(c.req.url).pathname);
    const path = pathname === undefined ? undefined : normalize(join(root, pathname));
    const file = path && (path === root || path.startsWith(root + sep)) ? await readIfFile(path) : undefined;
    if (file && path) {
      return send(c, file, pathname!, path, {
        'Content-Type': contentTypes[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': cacheControl(pathname!),
      });
    }
    if (pathname === undefined || extname(pathname) !== '') return c.text('Not found', 404);
    const index = await readIfFile(join(root, 'index.html'));
    if (!index) return c.text('The app is not built: run npm run build.', 404);
    return send(c, index, '/index.html', join(root, 'index.html'), {
      'Content-Type': contentTypes['.html'],
      'Cache-Control': 'no-store',
    });
  });
  return app;
}

// Not `.map`: source maps are large, fetched only by developer tools, and not worth the CPU.
const compressible = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest']);
const brotliOptions = { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } };

/** `br` when the browser takes it, else `gzip`, else nothing (q=0 means "not this one"). */
function preferredEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !/^\s*q=0(\.0*)?\s*$/.test(q ?? ''))
      .map(([name]) => name.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

function cacheControl(pathname: string): string {
  if (pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  return extname(pathname) === '.html' ? 'no-store' : 'no-cache';
}

function decodeURIComponentSafe(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
