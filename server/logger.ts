/** Structured logs: one JSON object per line. Never pass a password or a raw session id. */
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(line + '\n')): Logger {
  const log =
    (level: string) =>
    (event: string, fields: LogFields = {}) =>
      write(escapeLineBreakers(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/**
 * JSON allows U+2028, U+2029 and the C1 controls (U+0080 to U+009F) raw inside strings, but many
 * log readers (and JavaScript before ES2019) take U+2028, U+2029 and U+0085 (NEL) for line ends,
 * which would split one entry into two, and terminals act on the other C1 controls. Escaped, the
 * line is still the same JSON. (JSON.stringify already escapes lone surrogates and C0 controls.)
 */
function escapeLineBreakers(line: string): string {
  return line.replace(
    /[\u0080-\u009f\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Keeps lines in memory: for tests, and for mock mode where there is no console to read. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, ...createJsonLogger((line) => lines.push(line)) };
}
