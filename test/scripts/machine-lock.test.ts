/**
 * The end-to-end suite's machine lock (scripts/lib/machine-lock.mjs): a second taker waits while
 * another process holds it, and takes it once that process is gone, killed outright included
 * (nothing stale is left behind); and the lock is the loopback port any program binds alike.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { holdMachineLock, lockPort } from '../../scripts/lib/machine-lock.mjs';

const lockModule = new URL('../../scripts/lib/machine-lock.mjs', import.meta.url).href;
const holders: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const holder of holders.splice(0)) holder.kill('SIGKILL');
});

/** True when some process holds the lock `name` now: its port cannot be bound. */
function isMachineLockHeld(name: string) {
  return new Promise<boolean>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    server.listen(lockPort(name), '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** A process that takes `name` and keeps it until killed; resolves once it holds it. */
function holderOf(name: string) {
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { holdMachineLock } = await import(${JSON.stringify(lockModule)});
       await holdMachineLock(${JSON.stringify(name)});
       console.log('held');
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  holders.push(holder);
  return new Promise<typeof holder>((resolve, reject) => {
    holder.stdout!.setEncoding('utf8').on('data', (text: string) => text.includes('held') && resolve(holder));
    holder.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding the lock`)));
  });
}

describe('holdMachineLock', () => {
  it('waits while another process holds it, and takes it once that process is killed', async () => {
    const name = `idle-session-test-${randomUUID()}`;
    expect(await isMachineLockHeld(name)).toBe(false);
    const holder = await holderOf(name);
    expect(await isMachineLockHeld(name)).toBe(true);
    const onWait = vi.fn();
    let held = false;
    const taking = holdMachineLock(name, { onWait, retryMs: 20 }).then(() => (held = true));
    await vi.waitFor(() => expect(onWait).toHaveBeenCalledTimes(1));
    // Several retries later it still waits, and said so once.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(held).toBe(false);
    expect(onWait).toHaveBeenCalledTimes(1);

    holder.kill('SIGKILL');
    await taking;
    expect(held).toBe(true);
    expect(await isMachineLockHeld(name)).toBe(true);

    // Now this process holds it: another one waits in turn.
    const second = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { holdMachineLock } = await import(${JSON.stringify(lockModule)});
         await holdMachineLock(${JSON.stringify(name)}, { onWait: () => { console.log('waiting'); process.exit(0); } });
         console.log('held');`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let said = '';
    second.stdout.setEncoding('utf8').on('data', (text: string) => (said += text));
    await new Promise((resolve) => second.once('exit', resolve));
    expect(said.trim()).toBe('waiting');
  });

  it('is held by whatever listens on its loopback port: Node 20 and Node 24 see one lock', async () => {
    // The first lock was an abstract Unix socket, which Node 20 and Node 24 bind as two different
    // addresses: both CI lines held it at once, and the second suite emptied the first's results.
    const name = `idle-session-test-${randomUUID()}`;
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(lockPort(name), '127.0.0.1', resolve));
    expect(await isMachineLockHeld(name)).toBe(true);
    const onWait = vi.fn();
    const taking = holdMachineLock(name, { onWait, retryMs: 20 });
    await vi.waitFor(() => expect(onWait).toHaveBeenCalledTimes(1));
    await new Promise<void>((resolve) => other.close(() => resolve()));
    await taking;
  });

  it('gives up after timeoutMs of waiting, naming the port that is held', async () => {
    const name = `idle-session-test-${randomUUID()}`;
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(lockPort(name), '127.0.0.1', resolve));
    try {
      await expect(holdMachineLock(name, { retryMs: 20, timeoutMs: 100 })).rejects.toThrow(
        `127.0.0.1:${lockPort(name)} (the lock ${name}) was still held after 0 s of waiting`,
      );
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it('takes a free lock at once, without waiting', async () => {
    const onWait = vi.fn();
    await holdMachineLock(`idle-session-test-${randomUUID()}`, { onWait });
    expect(onWait).not.toHaveBeenCalled();
  });
});
