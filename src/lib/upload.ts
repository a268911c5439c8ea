import type { ApiError } from '../../shared/contract';
import { reportUnauthorized, type ApiResult, type RequestPath } from './api';

// Its own module: only the Notes page (a lazy chunk) uploads, so the first load does not carry it.

/**
 * Sends a file as the request body with XMLHttpRequest, whose upload progress events Chromium,
 * Firefox and Safari all fire (a fetch with a streamed body needs HTTP/2 in Chromium). A 401 is
 * reported like any request's; `signal` aborts it (the result is then `status: 0`, `aborted`).
 */
export function uploadFile<T>(
  path: RequestPath,
  file: Blob,
  {
    contentType,
    onProgress,
    signal,
  }: {
    contentType: string;
    /** Bytes sent and the total, as the browser reports them. */
    onProgress?: (sent: number, total: number) => void;
    signal?: AbortSignal;
  },
): Promise<ApiResult<T> & { aborted?: boolean }> {
  const sentAt = Date.now();
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const network = (aborted: boolean) =>
      resolve({
        ok: false,
        status: 0,
        error: { error: 'network', message: 'The server cannot be reached.' },
        sentAt,
        aborted,
      });
    xhr.open('POST', path);
    xhr.setRequestHeader('Content-Type', contentType);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => onProgress?.(event.loaded, event.total || file.size));
    xhr.addEventListener('error', () => network(false));
    xhr.addEventListener('timeout', () => network(false));
    xhr.addEventListener('abort', () => network(true));
    xhr.addEventListener('load', () => {
      let body: unknown;
      try {
        body = xhr.responseText === '' ? undefined : JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300)
        return resolve({ ok: true, status: xhr.status, data: body as T, sentAt });
      const error = body as ApiError | undefined;
      if (xhr.status === 401) reportUnauthorized(error?.error);
      resolve({
        ok: false,
        status: xhr.status,
        error:
          typeof error?.error === 'string'
            ? error
            : { error: 'internal_error', message: `The server answered ${xhr.status}.` },
        sentAt,
      });
    });
    if (signal?.aborted) return network(true);
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
