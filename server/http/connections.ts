import type { Server, Socket } from 'node:net';
import { clientGroup } from '../session/throttle';

/**
 * At most `maxPerClient` open connections per client, as the login throttle groups clients (an
 * IPv4 address, an IPv6 /64): one more is closed at once, before a byte of it is read. Without
 * it one client holding slow connections (and reopening each as it is cut) could take all
 * `MAX_CONNECTIONS`. Node's server listens for `connection` first; this runs right after, before
 * any data can arrive. Returns the open count per client, for tests.
 */
export function capConnectionsPerClient(server: Server, maxPerClient: number): Map<string, number> {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const client = clientGroup(socket.remoteAddress ?? 'unknown');
    const count = (open.get(client) ?? 0) + 1;
    if (count > maxPerClient) {
      socket.destroy();
      return;
    }
    open.set(client, count);
    socket.once('close', () => {
      const left = (open.get(client) ?? 1) - 1;
      if (left > 0) open.set(client, left);
      else open.delete(client);
    });
  });
  return open;
}
