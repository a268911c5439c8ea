import { extname, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/**
 * The built SPA from `dir`, served by @hono/node-server's serve-static: files as they are, and
 * `index.html` for every other path without a file extension (client-side routes). Compressed
 * copies are made once at build time (`<file>.br`, `<file>.gz`, scripts/build.mjs) and sent with
 * `Content-Encoding` and `Vary: Accept-Encoding` to a browser that takes them; nothing is
 * compressed per request. Hashed files under `/assets/` never change, so browsers keep them a
 * year; HTML is `no-store` so a deploy or a sign-out is never hidden by a cache. Source maps are
 * built for debugging but never served.
 */
export function spaRoutes(dir: string) {
  const root = resolve(dir);
  const app = new Hono();
  const files = serveStatic({ root, precompressed: true });
  const index = serveStatic({ root, path: 'index.html', precompressed: true });

  app.get('*', async (c, next) => {
    if (c.req.path.endsWith('.map')) return c.text('Not found', 404);
    // Set before the file is looked for, so it is part of the response serve-static builds;
    // the handlers below set their own when no file answered.
    c.header('Cache-Control', cacheControl(c.req.path));
    return next();
  });
  app.get('*', files);
  app.get('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    if (extname(c.req.path) !== '') return c.text('Not found', 404);
    return next();
  });
  app.get('*', index);
  app.get('*', (c) => c.text('The app is not built: run npm run build.', 404));
  return app;
}

function cacheControl(pathname: string): string {
  if (pathname.startsWith('/assets/')) return 'public, max-age=31536000, immutable';
  const extension = extname(pathname);
  return extension === '' || extension === '.html' ? 'no-store' : 'no-cache';
}
