/**
 * Which core each process of an HTTP bench runs on. On 2 cores, a load generator and a server
 * left to the scheduler take turns on both: a response's write wakes the load generator, which
 * may then preempt the server on its own core, and the rounds of one target spread over 2x
 * (seen here: 4,103 to 7,981 heartbeats/s for the same peer in one run). Pinned, the load
 * generator (this process) has core 0 and every server, with its store's process, the other
 * cores: what a load generator on another machine would give, and the same for ours and the peer.
 *
 * Linux only, through `taskset` (util-linux). BENCH_PIN=0 turns it off; where it cannot pin, the
 * bench says so in its heading and runs unpinned.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

const cores = availableParallelism();
const wanted = process.env.BENCH_PIN !== '0';

/** Pins every thread of `pid` to `cpuList` (taskset syntax: `0`, `1-3`); false where it could not. */
function pin(pid: number, cpuList: string): boolean {
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpuList, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let pinned = false;

/**
 * Pins this process (the load generator) to core 0, and returns the line the bench prints
 * about it. Call once, before any server starts.
 */
export function pinLoadGenerator(): string {
  if (!wanted) return 'Cores: not pinned (BENCH_PIN=0).';
  if (cores < 2) return 'Cores: not pinned (1 core).';
  pinned = pin(process.pid, '0');
  return pinned
    ? `Cores: the load generator on core 0, each server and its store on core${cores > 2 ? `s 1-${cores - 1}` : ' 1'}.`
    : 'Cores: not pinned (taskset failed or is missing).';
}

/** Pins a server (or its store's process) to the cores the load generator does not use. */
export function pinServer(pid: number): void {
  if (pinned) pin(pid, cores > 2 ? `1-${cores - 1}` : '1');
}
