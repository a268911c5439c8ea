import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The fields of one segment of a source map's `mappings` (base64 VLQ): deltas from the segment
 * before (the column from the line's start). What they accumulate into is the caller's.
 */
export function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = base64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

interface SourceMap {
  sources: string[];
  names: string[];
  /** Per generated line: [column, source, line, name] segments, in column order (line 0-based). */
  lines: [number, number, number, number][][];
}

/** Decodes a source map's `mappings` (VLQ): enough to name a profile's call frames. */
function decodeMap(map: { sources: string[]; names?: string[]; mappings: string }): SourceMap {
  const lines: SourceMap['lines'] = [];
  const state = [0, 0, 0, 0, 0]; // column (reset per line), source, line, column, name
  for (const line of map.mappings.split(';')) {
    const segments: SourceMap['lines'][number] = [];
    state[0] = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields = decodeSegment(segment);
      fields.forEach((delta, k) => (state[k] += delta));
      if (fields.length >= 4) segments.push([state[0], state[1], state[2], fields.length >= 5 ? state[4] : -1]);
    }
    lines.push(segments);
  }
  return { sources: map.sources, names: map.names ?? [], lines };
}

/** A call frame as Chromium's profiler and tracer give it: 0-based line and column in the script at `url`. */
export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/**
 * Names call frames "name source:line" through the scripts' hidden source maps: in `assets` (our
 * app's dist/assets: the server does not serve maps), else at `<url>.map`. Without a map, the
 * frame's own name and place.
 */
export function frameNamer(assets: string): (frame: CallFrame) => Promise<string> {
  const maps = new Map<string, Promise<SourceMap | undefined>>();
  const mapFor = (url: string): Promise<SourceMap | undefined> => {
    if (!maps.has(url)) {
      maps.set(
        url,
        (async () => {
          if (!url.endsWith('.js')) return undefined;
          try {
            const text =
              (await readFile(join(assets, `${basename(url)}.map`), 'utf8').catch(() => undefined)) ??
              (await fetch(`${url}.map`).then((response) => (response.ok ? response.text() : undefined)));
            return text ? decodeMap(JSON.parse(text)) : undefined;
          } catch {
            return undefined;
          }
        })(),
      );
    }
    return maps.get(url)!;
  };
  return async (frame) => {
    if (!frame.url) return frame.functionName || '(anonymous)';
    const map = await mapFor(frame.url);
    const segments = map?.lines[frame.lineNumber] ?? [];
    // The last segment at or before the column.
    let found: SourceMap['lines'][number][number] | undefined;
    for (const segment of segments) {
      if (segment[0] > frame.columnNumber) break;
      found = segment;
    }
    if (map && found) {
      const source = map.sources[found[1]].replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '');
      const name = found[3] >= 0 ? map.names[found[3]] : frame.functionName || '(anonymous)';
      return `${name} ${source}:${found[2] + 1}`;
    }
    return `${frame.functionName || '(anonymous)'} ${basename(frame.url)}:${frame.lineNumber + 1}`;
  };
}
