/**
 * A tiny Redis look-alike on a free loopback port (node:net, RESP2): it answers the handshake
 * ioredis sends (HELLO, CLIENT SETINFO, INFO for its ready check, PING, QUIT) like a healthy Redis, and
 * every other command with the one reply the test chose, e.g. `-TRYAGAIN ...`. For replies a real
 * Redis gives only in states that are slow or awkward to reach; where the state can be reached
 * (a Cluster's TRYAGAIN and CLUSTERDOWN), redis-cluster.test.ts does it for real.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface FakeRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** The raw RESP reply to every data command from now on, e.g. `-LOADING Redis is loading\r\n`. */
  reply: string;
  /** Names of the data commands received (upper case), in order. */
  commands: string[];
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Splits complete RESP arrays of bulk strings off the front of `buffer`; returns the rest. */
function takeCommands(buffer: Buffer, onCommand: (args: string[]) => void): Buffer {
  let offset = 0;
  for (;;) {
    const start = offset;
    const line = (from: number) => {
      const end = buffer.indexOf('\r\n', from);
      return end === -1 ? undefined : { text: buffer.toString('latin1', from, end), next: end + 2 };
    };
    const header = line(offset);
    if (!header) return buffer.subarray(start);
    if (!header.text.startsWith('*')) throw new Error(`fake redis: not a RESP array: ${header.text}`);
    const count = Number(header.text.slice(1));
    offset = header.next;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      const size = line(offset);
      if (!size) return buffer.subarray(start);
      const length = Number(size.text.slice(1));
      if (buffer.length < size.next + length + 2) return buffer.subarray(start);
      args.push(buffer.toString('utf8', size.next, size.next + length));
      offset = size.next + length + 2;
    }
    onCommand(args);
  }
}

const bulk = (text: string) => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;

/** Starts a fake Redis whose data commands all get `reply`. */
export async function startFakeRedis(reply: string): Promise<FakeRedis> {
  const sockets = new Set<Socket>();
  const fake: FakeRedis = {
    url: '',
    reply,
    commands: [],
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const answer = (args: string[]): string => {
    const name = (args[0] ?? '').toUpperCase();
    // Like a Redis before 6: no RESP3, so ioredis (which asks for RESP3 first) speaks RESP2.
    // Error replies are the same `-CODE message` line in both.
    if (name === 'HELLO') return '-NOPROTO unsupported protocol version\r\n';
    if (name === 'PING') return '+PONG\r\n';
    if (name === 'CLIENT' || name === 'QUIT') return '+OK\r\n';
    if (name === 'INFO') return bulk('# Server\r\nredis_version:7.0.15\r\n# Persistence\r\nloading:0\r\n');
    fake.commands.push(name);
    return fake.reply;
  };
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = takeCommands(Buffer.concat([pending, chunk]), (args) => {
        socket.write(answer(args));
        if (args[0]?.toUpperCase() === 'QUIT') socket.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `redis://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
