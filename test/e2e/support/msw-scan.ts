import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface Finding {
  file: string;
  what: string;
}

/** What only MSW (or our mock layer) puts into a bundle. Case-sensitive on purpose: see below. */
const codePatterns: [RegExp, string][] = [
  [/mockServiceWorker/, 'mockServiceWorker'],
  [/setupWorker/, 'setupWorker'],
  [/startMockWorker/, 'startMockWorker (mocks/browser.ts)'],
  [/\[MSW\]/, '[MSW] log prefix'],
  [/@mswjs\//, '@mswjs/ package'],
  // `msw` as a word in lower case: module ids, headers (x-msw-...), globals (__msw...). The SPA's
  // own text says "MSW" (the mock-mode badge), which is no MSW code, hence no case folding.
  [/(?<![A-Za-z0-9])_*msw(?![A-Za-z0-9])/, 'msw'],
];

/** Source paths in a source map that mean mock code was bundled. */
const mockSourcePattern = /(^|\/)node_modules\/(msw|@mswjs)\/|(^|\/)mocks\//;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Everything in `dir` that shows MSW or the mock layer: a file named like MSW's worker, MSW's
 * strings in any file, mock sources listed in a source map. Source maps are checked by their
 * `sources` list (their `sourcesContent` repeats the app's source text, comments included).
 */
export function scanForMsw(dir: string): { files: string[]; findings: Finding[] } {
  const files = walk(dir);
  const findings: Finding[] = [];
  for (const path of files) {
    const file = relative(dir, path);
    if (/mockServiceWorker/i.test(basename(path))) findings.push({ file, what: 'file name' });
    // Precompressed copies are scanned as what they decompress to: their bytes are not text, and
    // a chance "msw" among them (seen once a build changed) is no finding.
    const bytes = readFileSync(path);
    const ext = extname(path);
    const text = (ext === '.br' ? brotliDecompressSync(bytes) : ext === '.gz' ? gunzipSync(bytes) : bytes).toString(
      'utf8',
    );
    if (ext === '.map') {
      const sources: string[] = JSON.parse(text).sources ?? [];
      for (const source of sources.filter((s) => mockSourcePattern.test(s)))
        findings.push({ file, what: `source ${source}` });
      continue;
    }
    for (const [pattern, what] of codePatterns) if (pattern.test(text)) findings.push({ file, what });
  }
  return { files: files.map((path) => relative(dir, path)), findings };
}
