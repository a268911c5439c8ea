/**
 * What the browser downloads: every JS and CSS asset of the built SPA, raw, gzip and brotli, and
 * what our own server actually sends for it; then per route: the JS the sign-in page loads before
 * any interaction (the entry and its static imports) and what a signed-in page loads in all (plus
 * the lazy chunks its routes import). Baseline in the same run: react + react-dom
 * production builds alone, so readers see what our code, react-router and the rest add. The
 * bundle's source map splits it by origin.
 *
 * Builds dist/ first when its sources changed since its last build (`node scripts/build.mjs --if-stale --spa-only`).
 * Run alone: npx tsx bench/bundle.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { minify } from 'vite';
import { createApp } from '../server/app';
import { defaultSessionConfig } from '../server/session/policy';
import { createJsonLogger } from '../server/logger';
import { spaRoutes } from '../server/routes/spa';
import { createMemoryStore } from '../server/stores/memory';
import { heading, isMain, kb, printTable, ratio } from './lib/table';
import { decodeSegment } from './lib/source-map';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const distDir = join(repoRoot, 'dist');

/** gzip -9 and brotli -q 11: what a build step that precompresses assets would ship. */
const gzip = (data: Buffer | string) => gzipSync(data, { level: 9 }).length;
const brotli = (data: Buffer | string) =>
  brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: Buffer.byteLength(data) },
  }).length;

/**
 * dist/ as `npm start` serves it: `node scripts/build.mjs --if-stale --spa-only` first, which
 * builds the SPA if its sources changed since its last build (a hash of them) and nothing else,
 * so a figure is never of an older build. False if that build failed.
 */
export function ensureBuilt(): boolean {
  const build = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs'), '--if-stale', '--spa-only'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (build.status !== 0) {
    console.log('skipped: `node scripts/build.mjs --if-stale --spa-only` failed');
    return false;
  }
  console.log(`dist/ built ${new Date(statSync(join(distDir, 'index.html')).mtimeMs).toISOString()}.`);
  return true;
}

/** What our server sends for `path` to a browser that accepts gzip and brotli. */
async function served(app: ReturnType<typeof createApp>, path: string): Promise<string> {
  const response = await app.fetch(
    new Request(`http://127.0.0.1${path}`, { headers: { 'Accept-Encoding': 'gzip, deflate, br, zstd' } }),
  );
  const bytes = (await response.arrayBuffer()).byteLength;
  const encoding = response.headers.get('Content-Encoding');
  return `${kb(bytes)} (${encoding ?? 'uncompressed'})`;
}

/** React and react-dom as the bundle uses them (production CommonJS builds), by file. */
const reactFiles = [
  'react/cjs/react.production.js',
  'react/cjs/react-jsx-runtime.production.js',
  'react-dom/cjs/react-dom.production.js',
  'react-dom/cjs/react-dom-client.production.js',
  'scheduler/cjs/scheduler.production.js',
];

/** Decodes source-map `mappings` into, per generated line, [column, source index or -1] segments. */
function decodeMappings(mappings: string): [number, number][][] {
  const lines: [number, number][][] = [];
  let source = 0;
  for (const line of mappings.split(';')) {
    const segments: [number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields = decodeSegment(segment);
      column += fields[0];
      if (fields.length >= 4) source += fields[1];
      // Source line, column and name deltas (fields 2-4) accumulate too, but attribution needs only the file.
      segments.push([column, fields.length >= 4 ? source : -1]);
    }
    lines.push(segments);
  }
  return lines;
}

/** `node_modules/react-dom/cjs/x.js` -> `react-dom`; `src/app/x.tsx` -> `our code (src/)`. */
function origin(source: string): string {
  const path = source.replace(/^(\.\.?\/)+/, '');
  const packagePath = path.split('node_modules/').pop()!;
  if (path.includes('node_modules/')) {
    const parts = packagePath.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('src/') || path.startsWith('shared/')) return `our code (${path.split('/')[0]}/)`;
  return path.startsWith('\0') || path.startsWith('rolldown') ? 'bundler runtime' : path;
}

/** Splits a JS asset's bytes by where they came from, using its source map. */
function breakdown(code: string, map: { sources: string[]; mappings: string }) {
  const groups = new Map<string, string[]>();
  const add = (group: string, text: string) => {
    if (!text) return;
    const parts = groups.get(group) ?? [];
    parts.push(text);
    groups.set(group, parts);
  };
  const decoded = decodeMappings(map.mappings);
  code.split('\n').forEach((line, index) => {
    const segments = decoded[index] ?? [];
    add('unmapped (bundler glue)', line.slice(0, segments[0]?.[0] ?? line.length));
    segments.forEach(([column, source], k) => {
      const text = line.slice(column, segments[k + 1]?.[0] ?? line.length);
      add(source < 0 ? 'unmapped (bundler glue)' : origin(map.sources[source]), text);
    });
  });
  return [...groups]
    .map(([group, parts]) => ({ group, text: parts.join('') }))
    .sort((a, b) => b.text.length - a.text.length);
}

/** `./x.js` names a chunk imports: `from"./x.js"` / `import"./x.js"` (static), `import(\`./x.js\`)` (dynamic). */
function chunkImports(name: string): { static: string[]; dynamic: string[] } {
  const code = readFileSync(join(distDir, 'assets', name), 'utf8');
  const names = (pattern: RegExp) => [...code.matchAll(pattern)].map((match) => match[1]);
  return {
    static: names(/(?:from|import)\s*["'`]\.\/([\w.-]+\.js)["'`]/g),
    dynamic: names(/import\(\s*["'`]\.\/([\w.-]+\.js)["'`]\s*\)/g),
  };
}

/**
 * The JS files per route: the sign-in page runs the module scripts in index.html and their static
 * imports; a signed-in page adds every chunk reachable through dynamic imports (the lazy routes).
 * Only the signed-in area is lazy today, so "reachable" is exactly what a signed-in page loads.
 */
function routeScripts(): { signIn: string[]; signedIn: string[] } {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/<script[^>]+src="\/assets\/([\w.-]+\.js)"/g)].map((match) => match[1]);
  const closure = (start: string[], followDynamic: boolean) => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const imports = chunkImports(name);
      for (const next of [...imports.static, ...(followDynamic ? imports.dynamic : [])]) visit(next);
    };
    start.forEach(visit);
    return [...seen];
  };
  return { signIn: closure(entries, false), signedIn: closure(entries, true) };
}

export async function runBundleBench(): Promise<void> {
  heading('Bundle: what the browser downloads (dist/assets), with react + react-dom alone as the baseline');
  if (!ensureBuilt()) return;

  const app = createApp({
    store: createMemoryStore(),
    config: { session: defaultSessionConfig, publicOrigins: ['http://127.0.0.1'] },
    logger: createJsonLogger(() => {}),
    pages: spaRoutes(distDir),
  });
  const assets = readdirSync(join(distDir, 'assets'))
    .filter((name) => /\.(js|css)$/.test(name))
    .sort((a, b) => Number(a.endsWith('.css')) - Number(b.endsWith('.css')) || a.localeCompare(b));
  const rows: (string | number)[][] = [];
  const total = { raw: 0, gzip: 0, brotli: 0, jsGzip: 0, jsBrotli: 0, jsRaw: 0 };
  for (const name of assets) {
    const data = readFileSync(join(distDir, 'assets', name));
    const sizes = { raw: data.length, gzip: gzip(data), brotli: brotli(data) };
    total.raw += sizes.raw;
    total.gzip += sizes.gzip;
    total.brotli += sizes.brotli;
    if (name.endsWith('.js')) {
      total.jsRaw += sizes.raw;
      total.jsGzip += sizes.gzip;
      total.jsBrotli += sizes.brotli;
    }
    rows.push([
      `assets/${name}`,
      kb(sizes.raw),
      kb(sizes.gzip),
      kb(sizes.brotli),
      await served(app, `/assets/${name}`),
    ]);
  }
  const maps = readdirSync(join(distDir, 'assets')).filter((name) => name.endsWith('.map'));
  rows.push(['total JS + CSS', kb(total.raw), kb(total.gzip), kb(total.brotli), '']);
  printTable(['asset', 'raw', 'gzip -9', 'brotli -q11', 'sent by our server'], rows);
  if (maps.length) {
    const mapBytes = maps.reduce((sum, name) => sum + statSync(join(distDir, 'assets', name)).size, 0);
    console.log(
      `(not counted: ${maps.length} source map${maps.length === 1 ? '' : 's'}, ${kb(mapBytes)}, fetched only by developer tools)`,
    );
  }

  // The baseline: the same React the bundle carries, minified with Vite's own minifier (Oxc).
  let reactRaw = '';
  let reactMinified = '';
  for (const file of reactFiles) {
    // Read by path: the packages' `exports` do not expose their cjs/ files to require.resolve.
    const path = join(repoRoot, 'node_modules', file);
    if (!existsSync(path)) {
      console.log(`(baseline: ${file} not found, left out)`);
      continue;
    }
    const source = readFileSync(path, 'utf8');
    reactRaw += source;
    // Wrapped as a bundler wraps a CommonJS module: its top-level names become locals, which the
    // minifier may rename (in a bare script they would be globals, left long).
    // Assigned to a global so that dead-code removal keeps it.
    const wrapped = `__modules[${JSON.stringify(file)}] = function (exports, require, module) {\n${source}\n};`;
    const result = await minify(file, wrapped, { compress: true, mangle: true });
    if (result.errors.length) throw new Error(`minifying ${file}: ${result.errors[0].message}`);
    reactMinified += result.code + '\n';
  }
  console.log('\nBaseline: react + react-dom (+ scheduler, jsx-runtime) production builds alone.');
  printTable(
    ['what', 'raw', 'gzip -9', 'brotli -q11'],
    [
      [
        'react + react-dom, as shipped (unminified)',
        kb(Buffer.byteLength(reactRaw)),
        kb(gzip(reactRaw)),
        kb(brotli(reactRaw)),
      ],
      [
        'react + react-dom, minified (Oxc, as Vite does)',
        kb(Buffer.byteLength(reactMinified)),
        kb(gzip(reactMinified)),
        kb(brotli(reactMinified)),
      ],
      ['our JS bundle', kb(total.jsRaw), kb(total.jsGzip), kb(total.jsBrotli)],
      [
        'bundle / react alone (minified)',
        ratio(total.jsRaw, Buffer.byteLength(reactMinified)),
        ratio(total.jsGzip, gzip(reactMinified)),
        ratio(total.jsBrotli, brotli(reactMinified)),
      ],
      [
        'added on top of react (bundle - react)',
        kb(total.jsRaw - Buffer.byteLength(reactMinified)),
        kb(total.jsGzip - gzip(reactMinified)),
        kb(total.jsBrotli - brotli(reactMinified)),
      ],
    ],
  );

  const react = { raw: Buffer.byteLength(reactMinified), gzip: gzip(reactMinified), brotli: brotli(reactMinified) };
  console.log(
    "\nPer route: the JS a page runs, found from dist/index.html by following the chunks' imports (static: loaded with the page; dynamic: lazy routes).",
  );
  const routes = routeScripts();
  const routeRows = (
    [
      ['/login (sign-in page, before any interaction)', routes.signIn],
      ['/ (a signed-in page, in all)', routes.signedIn],
    ] as const
  ).map(([route, files]) => {
    const sizes = files.reduce(
      (sum, name) => {
        const data = readFileSync(join(distDir, 'assets', name));
        return { raw: sum.raw + data.length, gzip: sum.gzip + gzip(data), brotli: sum.brotli + brotli(data) };
      },
      { raw: 0, gzip: 0, brotli: 0 },
    );
    return [
      route,
      files.join(' + '),
      kb(sizes.raw),
      kb(sizes.gzip),
      kb(sizes.brotli),
      ratio(sizes.gzip, react.gzip),
      kb(sizes.gzip - react.gzip),
    ];
  });
  printTable(
    ['route', 'JS files', 'raw', 'gzip -9', 'brotli -q11', 'gzip vs react alone', 'gzip on top of react'],
    [
      ...routeRows,
      ['react + react-dom alone (baseline)', '', kb(react.raw), kb(react.gzip), kb(react.brotli), '1.00x', '0.0 KB'],
    ],
  );

  for (const name of assets.filter((asset) => asset.endsWith('.js'))) {
    const mapPath = join(distDir, 'assets', `${name}.map`);
    if (!existsSync(mapPath)) continue;
    const code = readFileSync(join(distDir, 'assets', name), 'utf8');
    const groups = breakdown(code, JSON.parse(readFileSync(mapPath, 'utf8')));
    const bytes = Buffer.byteLength(code);
    console.log(
      `\nassets/${name} by origin, from its source map (gzip of each part alone: compression is contextual, so parts do not add up to the whole):`,
    );
    printTable(
      ['origin', 'bytes', 'share', 'gzip alone'],
      groups.map(({ group, text }) => [
        group,
        kb(Buffer.byteLength(text)),
        `${((Buffer.byteLength(text) / bytes) * 100).toFixed(1)}%`,
        kb(gzip(text)),
      ]),
    );
  }
}

if (isMain(import.meta.url)) await runBundleBench();
