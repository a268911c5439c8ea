import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Prints rows as a Markdown table: readable in a terminal, pasteable into bench/README.md. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  // Text columns align left, figures (cells that start with a digit) align right.
  const left = header.map((_, column) => column === 0 || cells.slice(1).every((row) => !/^\d/.test(row[column] ?? '')));
  const line = (row: string[]) =>
    '| ' +
    row
      .map((cell, column) => (left[column] ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join(' | ') +
    ' |';
  console.log(line(cells[0]));
  console.log(
    '| ' +
      widths.map((width, column) => (left[column] ? '-'.repeat(width) : '-'.repeat(width - 1) + ':')).join(' | ') +
      ' |',
  );
  for (const row of cells.slice(1)) console.log(line(row));
}

export function heading(text: string): void {
  console.log(`\n${'='.repeat(72)}\n${text}\n${'='.repeat(72)}`);
}

/** `12.3 KB` style sizes (1 KB = 1000 bytes, as browsers' network panels count). */
export function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}

export function ratio(value: number, baseline: number, digits = 2): string {
  return baseline === 0 ? 'n/a' : `${(value / baseline).toFixed(digits)}x`;
}

/** True when this module is the script node was started with (so each bench also runs alone). */
export function isMain(importMetaUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  const strip = (path: string) => path.replace(/\.ts$/, '');
  return strip(fileURLToPath(importMetaUrl)) === strip(resolve(script));
}

/** The median: the middle value, or the mean of the two middle ones. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
