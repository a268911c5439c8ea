import { noteLimits } from '../../shared/note-limits';

/**
 * Reading an import of notes (issue 23): a `.txt` or `.md` file, one note per `# heading`, its
 * text the lines up to the next heading. Rules with no HTTP; the route feeds it the body as it
 * streams in and stores nothing unless the whole file is good (all or nothing).
 */

export interface ImportedNote {
  title: string;
  text: string;
}

/** The first line that is wrong, and why (422 `invalid_import`). */
export interface ImportProblem {
  line: number;
  message: string;
}

export type ImportResult = { ok: true; notes: ImportedNote[] } | { ok: false; problem: ImportProblem };

/** `# Title` (one `#`, then a space or nothing): a new note; `## x` is text. */
const headingPattern = /^#(?:[ \t]+(.*))?$/;

/**
 * A parser that takes the body in chunks of bytes, in order, and tells the first bad line.
 * `maxNotes`: how many notes the user may still add.
 */
export function createNotesImport(maxNotes: number) {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const notes: { title: string; lines: string[]; length: number }[] = [];
  /** The bytes of a line not yet ended. */
  let pending: Uint8Array = new Uint8Array(0);
  let lineNumber = 0;
  let problem: ImportProblem | undefined;

  const fail = (message: string) => void (problem ??= { line: lineNumber, message: `Line ${lineNumber}: ${message}` });

  function takeLine(raw: string) {
    lineNumber++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const heading = headingPattern.exec(line);
    if (heading) {
      const title = (heading[1] ?? '').trim();
      if (title === '') return fail('a "#" heading needs a title after it.');
      if (title.length > noteLimits.titleMaxLength) {
        return fail(`the title is longer than ${noteLimits.titleMaxLength} characters.`);
      }
      if (notes.length >= maxNotes) {
        return fail(
          `this is note ${notes.length + 1}, but you can add only ${maxNotes} more (at most ${noteLimits.notesPerUser} notes).`,
        );
      }
      notes.push({ title, lines: [], length: 0 });
      return;
    }
    const current = notes.at(-1);
    if (!current) {
      if (line.trim() !== '') fail('text before the first "# " heading; each note starts with a line "# Title".');
      return;
    }
    current.lines.push(line);
    current.length += line.length + 1;
    if (current.length > noteLimits.textMaxLength && textOf(current.lines).length > noteLimits.textMaxLength) {
      fail(`the note "${shortTitle(current.title)}" is longer than ${noteLimits.textMaxLength} characters.`);
    }
  }

  /** One line's bytes (UTF-8 never has 0x0A inside a character, so lines split on bytes). */
  function takeLineBytes(bytes: Uint8Array) {
    let line: string;
    try {
      line = decoder.decode(bytes);
    } catch {
      lineNumber++;
      return fail('this is not UTF-8 text.');
    }
    takeLine(line);
  }

  return {
    /** The next bytes of the body; after a problem, the rest is only counted, not read. */
    push(bytes: Uint8Array) {
      let start = 0;
      for (let end = bytes.indexOf(0x0a); end >= 0 && !problem; end = bytes.indexOf(0x0a, start)) {
        const piece = bytes.subarray(start, end);
        takeLineBytes(pending.length === 0 ? piece : concat(pending, piece));
        pending = new Uint8Array(0);
        start = end + 1;
      }
      if (problem) return;
      if (start < bytes.length) pending = concat(pending, bytes.subarray(start));
    },
    /** The body has ended: the notes, or the first problem. */
    finish(): ImportResult {
      if (!problem && pending.length > 0) takeLineBytes(pending);
      if (!problem && notes.length === 0) {
        lineNumber = 1;
        fail('there is no "# " heading; each note starts with a line "# Title".');
      }
      if (problem) return { ok: false, problem };
      return { ok: true, notes: notes.map(({ title, lines }) => ({ title, text: textOf(lines) })) };
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/** A note's text: its lines, without blank lines at either end. */
function textOf(lines: string[]): string {
  return lines
    .join('\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
}

function shortTitle(title: string): string {
  return title.length > 40 ? `${title.slice(0, 39)}…` : title;
}
