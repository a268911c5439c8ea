#!/usr/bin/env node
// The production build, in two parts that `npm start` can each skip when nothing changed:
// - the SPA: `vite build` into dist/, then a brotli and a gzip copy of every compressible file,
//   made once here so that the server never compresses per request;
// - the server: server/main.ts bundled by esbuild into build/server/, run with plain `node`
//   (native better-sqlite3 and ioredis stay external, in node_modules).
//
// `node scripts/build.mjs`: both, always (what `npm run build` runs after the type check).
// `--server-only`: only the server (and the operator command); `--spa-only`: only the SPA (the
// browser benches); `--quiet`: stdout left alone.
// `node scripts/build.mjs --if-stale`: each part only when its inputs changed since its last build
// (a SHA-256 of every input file, kept in build/*.stamp), or its output is missing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const distDir = join(repoRoot, 'dist');
const buildDir = join(repoRoot, 'build');
/** What `npm start` and `npm run serve` run. */
export const serverEntry = join(buildDir, 'server', 'main.js');
/** What `npm run sessions` runs. */
export const sessionsEntry = join(buildDir, 'server', 'sessions.js');

/** Files and folders whose content decides each part's output. */
const inputs = {
  spa: ['index.html', 'vite.config.ts', 'src', 'shared', 'public', 'package-lock.json', 'scripts/build.mjs'],
  server: ['server', 'shared', 'package-lock.json', 'scripts/build.mjs'],
};

/** Types worth compressing; images and fonts are compressed already, source maps are not served. */
const compressible = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest', '.xml', '.ico']);

function listFiles(path) {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => listFiles(join(path, entry.name)));
}

function inputsHash(part) {
  const hash = createHash('sha256');
  for (const file of inputs[part].flatMap((input) => listFiles(join(repoRoot, input)))) {
    if (/\.test\.tsx?$/.test(file)) continue; // tests are not built
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

const stampPath = (part) => join(buildDir, `${part}.stamp`);
const outputOf = { spa: join(distDir, 'index.html'), server: serverEntry };

function isStale(part) {
  if (!existsSync(outputOf[part]) || !existsSync(stampPath(part))) return true;
  return readFileSync(stampPath(part), 'utf8') !== inputsHash(part);
}

function stamp(part) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(stampPath(part), inputsHash(part));
}

/** Writes `<file>.br` and `<file>.gz` beside every compressible file in `dir`, when smaller. */
export function precompress(dir) {
  let written = 0;
  for (const file of listFiles(dir)) {
    if (!compressible.has(extname(file))) continue;
    const raw = readFileSync(file);
    const encoded = {
      '.br': brotliCompressSync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
        },
      }),
      '.gz': gzipSync(raw, { level: constants.Z_BEST_COMPRESSION }),
    };
    for (const [suffix, bytes] of Object.entries(encoded)) {
      if (bytes.length < raw.length) {
        writeFileSync(file + suffix, bytes);
        written++;
      } else rmSync(file + suffix, { force: true });
    }
  }
  return written;
}

export async function buildSpa() {
  const { build } = await import('vite');
  await build({ root: repoRoot, logLevel: 'warn' });
  const written = precompress(distDir);
  stamp('spa');
  console.log(`build: SPA in ${relative(repoRoot, distDir)}/ (${written} precompressed files)`);
}

export async function buildServer() {
  const { build } = await import('esbuild');
  rmSync(join(buildDir, 'server'), { recursive: true, force: true });
  await build({
    // main.js: the server; sessions.js: the operator command (`npm run sessions`), sharing chunks.
    entryPoints: [join(repoRoot, 'server', 'main.ts'), join(repoRoot, 'server', 'sessions.ts')],
    outdir: join(buildDir, 'server'),
    bundle: true,
    // The Redis store is loaded only with SESSION_STORE=redis, as in the source.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    // Native code and the Redis client stay packages: node_modules holds them, built for this Node.
    // prom-client too: CommonJS that requires Node's modules at run time, which an ESM bundle cannot.
    external: ['better-sqlite3', 'ioredis', 'prom-client'],
    // Not minified: a stack trace in a log names real functions.
    minify: false,
    logLevel: 'warning',
  });
  stamp('server');
  console.log(`build: server in ${relative(repoRoot, serverEntry)}`);
}

/** Builds the server when its sources changed since the last build (about 0.1 s); else nothing. */
export async function buildServerIfStale() {
  if (isStale('server')) await buildServer();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  // --quiet (npm run sessions): nothing on stdout, which is the command's; a rebuild says so on stderr.
  const quiet = process.argv.includes('--quiet');
  if (quiet) console.log = console.error;
  const parts = process.argv.includes('--server-only')
    ? ['server']
    : process.argv.includes('--spa-only')
      ? ['spa']
      : ['spa', 'server'];
  for (const part of parts) {
    if (ifStale && !isStale(part)) {
      if (!quiet) console.log(`build: ${part} is up to date`);
      continue;
    }
    await (part === 'spa' ? buildSpa() : buildServer());
  }
}
