import { Worker } from 'node:worker_threads';
import type { Registry } from 'prom-client';
import { httpOrigin } from '../http/origin';

/**
 * The METRICS_PORT listener, in a worker thread of its own (decision 022, "A scrape's second
 * server"): the worker answers HTTP, this thread only writes the text. On the main thread a
 * second HTTP server, hono or plain `node:http` alike, cost every later heartbeat 19 to 33% more
 * CPU after its first request: that request's server, socket and request objects have other
 * hidden classes than the public server's, and V8 threw away its optimized code for about 45 of
 * Node's HTTP and stream functions (`parserOnIncoming`, `_storeHeader`, `Readable.read`, ...,
 * seen with `--trace-deopt`) for slower code that takes both. A worker has its own V8 heap and
 * its own compiled code, so the public server's objects are the only ones its code ever sees.
 *
 * The worker's whole source is below, as the text a worker runs (`eval`), so that the same code
 * runs from the compiled build and from the TypeScript sources in tests. It answers `GET` (and
 * `HEAD`) `/metrics` with what this thread's registry says, and 404 to anything else.
 */
const workerSource = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
const waiting = new Map();
let nextId = 0;
const server = createServer((request, response) => {
  const path = (request.url ?? '').split('?')[0];
  if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=UTF-8' });
    response.end('Not found: the metrics are at /metrics\n');
    return;
  }
  const id = nextId++;
  waiting.set(id, response);
  response.on('close', () => waiting.delete(id));
  parentPort.postMessage({ type: 'scrape', id });
});
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    server.close(() => parentPort.close());
    server.closeAllConnections();
    return;
  }
  const response = waiting.get(message.id);
  if (!response) return;
  waiting.delete(message.id);
  if (message.error !== undefined) {
    response.writeHead(500, { 'Content-Type': 'text/plain; charset=UTF-8' });
    response.end('The metrics could not be collected: ' + message.error + '\n');
    return;
  }
  response.writeHead(200, { 'Content-Type': message.contentType, 'Cache-Control': 'no-store' });
  response.end(message.text);
});
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(workerData.port, workerData.host, () => {
  const { address, port } = server.address();
  parentPort.postMessage({ type: 'listening', address, port });
});
`;

type FromWorker =
  | { type: 'scrape'; id: number }
  | { type: 'listening'; address: string; port: number }
  | { type: 'error'; message: string };

export interface MetricsListener {
  /** `http://<address>:<port>/metrics`, the address as the listener took it (IPv6 in brackets). */
  url: string;
  /** Stops accepting, closes its connections and ends the worker. */
  close(): Promise<void>;
}

/**
 * Starts the metrics listener on `host`:`port` (0: a free port), serving `registry`. Resolves once
 * it listens; rejects with the reason when it cannot (the port taken, say). If the worker stops
 * later without `close()` (an uncaught error in it), `onFailure` gets the reason, once: the public
 * server goes on without metrics, and the scrapes fail, as a scraper shows.
 */
export function startMetricsListener({
  registry,
  port,
  host,
  onFailure = () => {},
}: {
  registry: Registry;
  port: number;
  host: string;
  onFailure?: (reason: string) => void;
}): Promise<MetricsListener> {
  const worker = new Worker(workerSource, { eval: true, workerData: { port, host } });
  let listening = false;
  let closing = false;
  let failure: string | undefined;
  const ended = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'scrape') {
        registry.metrics().then(
          (text) => worker.postMessage({ id: message.id, text, contentType: registry.contentType }),
          (error: Error) => worker.postMessage({ id: message.id, error: error.message }),
        );
      } else if (message.type === 'listening') {
        listening = true;
        resolve({
          url: `${httpOrigin(message.address, message.port)}/metrics`,
          close() {
            closing = true;
            worker.postMessage({ type: 'close' });
            return ended;
          },
        });
      } else {
        reject(new Error(`the metrics listener cannot listen on ${host}:${port}: ${message.message}`));
        closing = true;
        void worker.terminate();
      }
    });
    // An uncaught error ends the worker: 'error' comes first, then 'exit'.
    worker.on('error', (error) => {
      failure ??= error.message;
    });
    worker.once('exit', (code) => {
      const reason = failure ?? `the worker stopped (exit code ${code})`;
      if (!listening) reject(new Error(`the metrics listener stopped before listening: ${reason}`));
      else if (!closing) onFailure(reason);
    });
  });
}
