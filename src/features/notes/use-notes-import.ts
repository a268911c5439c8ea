import { useCallback, useEffect, useRef, useState } from 'react';
import { useRevalidator } from 'react-router';
import type { ImportNotesResponse } from '../../../shared/contract';
import { maxImportBytes, noteLimits } from '../../../shared/note-limits';
import { uploadFile } from '../../lib/upload';
import { useSessionHold } from '../session';

export type ImportStatus =
  | { kind: 'idle' }
  | { kind: 'uploading' }
  | { kind: 'done'; count: number }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

/** The file types an import takes: what the server reads, one note per `# heading`. */
export const importFileTypes = ['.txt', '.md'] as const;

/** Why a chosen file cannot be imported, before anything is sent; undefined when it can. */
export function importFileProblem(file: File): string | undefined {
  if (!importFileTypes.some((type) => file.name.toLowerCase().endsWith(type))) {
    return 'Choose a .txt or .md file.';
  }
  if (file.size > maxImportBytes) return `The file is larger than ${maxImportBytes / 1024 / 1024} MB.`;
  if (file.size === 0) return 'The file is empty.';
  return undefined;
}

/**
 * Importing notes (issue 23): uploads the file with progress, holds the session while it runs
 * (decision 024: an upload longer than the idle timeout is not inactivity), can be cancelled,
 * and refreshes the saved notes when it is done. The exact progress goes to `onProgress`
 * outside React (the bar's width); `announced` moves in steps of 10 % only, so a screen reader
 * hears at most ten values and the page re-renders at most ten times.
 */
export function useNotesImport(onProgress: (fraction: number) => void) {
  const [status, setStatus] = useState<ImportStatus>({ kind: 'idle' });
  const [announced, setAnnounced] = useState(0);
  const abort = useRef<AbortController | undefined>(undefined);
  const revalidator = useRevalidator();
  const uploading = status.kind === 'uploading';
  useSessionHold(uploading, 'import');
  useEffect(() => () => abort.current?.abort(), []);

  const start = useCallback(
    async (file: File) => {
      const problem = importFileProblem(file);
      if (problem) return setStatus({ kind: 'failed', message: problem });
      const controller = new AbortController();
      abort.current = controller;
      setAnnounced(0);
      onProgress(0);
      setStatus({ kind: 'uploading' });
      const result = await uploadFile<ImportNotesResponse>('/api/notes/import', file, {
        contentType: file.name.toLowerCase().endsWith('.md')
          ? 'text/markdown; charset=utf-8'
          : 'text/plain; charset=utf-8',
        signal: controller.signal,
        onProgress(sent, total) {
          const fraction = total > 0 ? Math.min(1, sent / total) : 0;
          onProgress(fraction);
          setAnnounced(Math.floor(fraction * 10) * 10);
        },
      });
      abort.current = undefined;
      if (controller.signal.aborted) return setStatus({ kind: 'cancelled' });
      if (result.ok) {
        onProgress(1);
        setAnnounced(100);
        setStatus({ kind: 'done', count: result.data.notes.length });
        void revalidator.revalidate();
        return;
      }
      setStatus({ kind: 'failed', message: failureMessage(result.status, result.error.message) });
    },
    [onProgress, revalidator],
  );

  return {
    status,
    uploading,
    /** The progress to announce, in whole tens of percent. */
    announced,
    start,
    cancel: () => abort.current?.abort(),
  };
}

function failureMessage(status: number, message: string): string {
  if (status === 0) return 'The server could not be reached. Nothing was imported; try again.';
  if (status === 413) return `The file is larger than ${maxImportBytes / 1024 / 1024} MB. Nothing was imported.`;
  if (status === 408) return 'The upload took too long and was stopped. Nothing was imported; try again.';
  if (status === 422) return message;
  return `${message} Nothing was imported.`;
}

/** What the import section says about the format, with the limits. */
export const importFormatHint = `A .txt or .md file: each note starts with a line "# Title", and the lines under it are its text. Up to ${noteLimits.notesPerUser} notes in all, titles of ${noteLimits.titleMaxLength} characters and texts of ${noteLimits.textMaxLength.toLocaleString('en')}.`;
