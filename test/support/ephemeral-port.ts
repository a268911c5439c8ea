/**
 * Ports the OS picks: a Fetch handler served on one (the test servers, the static-file tests),
 * and a loopback port that is free right now (for a process that must be told its port).
 */
import { createServer, type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface EphemeralServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Stops listening and drops open connections (keep-alive ones too). */
  close(): Promise<void>;
}

/** Serves any Fetch handler over real HTTP on 127.0.0.1, on a port the OS picks. */
export async function serveOnEphemeralPort(
  fetchHandler: Parameters<typeof serve>[0]['fetch'],
): Promise<EphemeralServer> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}

type FetchHandler = Parameters<typeof serve>[0]['fetch'];

/**
 * Like `serveOnEphemeralPort`, for a handler that must know its own URL (an app whose public
 * origin is where it listens): `build(url)` runs once the port is known, before any request.
 */
export async function serveBuiltOnEphemeralPort(
  build: (url: string) => FetchHandler,
): Promise<EphemeralServer & { handler: FetchHandler }> {
  const late: { handler?: FetchHandler } = {};
  const server = await serveOnEphemeralPort((request, env) => late.handler!(request, env));
  late.handler = build(server.url);
  return { ...server, handler: late.handler };
}

/** A loopback port nothing listens on right now (the OS picks it; we let it go at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
