import { useCallback, useId, useRef, useState } from 'react';
import { importFileTypes, importFormatHint, useNotesImport, type ImportStatus } from './use-notes-import';

/**
 * "Import notes" on the Notes page: a file, a progress bar that announces every 10 % and a
 * Cancel button. While it uploads, the session is held (no idle warning, no sign-out).
 */
export function ImportNotes() {
  const ids = { heading: useId(), file: useId(), hint: useId(), progress: useId() };
  const bar = useRef<HTMLDivElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | undefined>(undefined);
  // The bar's width follows every progress event without a React render (only 10 % steps render).
  const showProgress = useCallback((fraction: number) => {
    bar.current?.style.setProperty('--progress', `${Math.round(fraction * 1000) / 10}%`);
  }, []);
  const upload = useNotesImport(showProgress);

  return (
    <section className="card import-notes" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Import notes</h2>
      <p className="hint" id={ids.hint}>
        {importFormatHint}
      </p>
      <form
        className="import-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (file) void upload.start(file);
        }}
      >
        <div className="field">
          <label htmlFor={ids.file}>Notes file</label>
          <input
            ref={fileInput}
            id={ids.file}
            type="file"
            accept={[...importFileTypes, 'text/plain', 'text/markdown'].join(',')}
            aria-describedby={ids.hint}
            disabled={upload.uploading}
            onChange={(event) => setFile(event.target.files?.[0])}
          />
        </div>
        <div className="editor-actions">
          <button type="submit" className="button primary" disabled={!file || upload.uploading}>
            Import
          </button>
          {upload.uploading && (
            <button type="button" className="button secondary" onClick={upload.cancel}>
              Cancel
            </button>
          )}
        </div>
      </form>
      {upload.uploading && (
        <div
          ref={bar}
          className="import-progress"
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={upload.announced}
          aria-valuetext={`${upload.announced}% uploaded`}
        >
          <div className="import-progress-fill" />
        </div>
      )}
      <StatusLine status={upload.status} />
    </section>
  );
}

function StatusLine({ status }: { status: ImportStatus }) {
  if (status.kind === 'failed') {
    return (
      <p className="field-error" role="alert">
        {status.message}
      </p>
    );
  }
  const text =
    status.kind === 'uploading'
      ? 'Importing… you stay signed in while the import runs.'
      : status.kind === 'done'
        ? `Imported ${status.count} ${status.count === 1 ? 'note' : 'notes'}.`
        : status.kind === 'cancelled'
          ? 'Import cancelled. Nothing was imported.'
          : '';
  return (
    <p className="hint" role="status">
      {text}
    </p>
  );
}
