#!/usr/bin/env node
// Runs a command on a Node line: `node scripts/with-node.mjs 24 -- npm test`.
//
// The line's `node` comes first on PATH, so the command and everything it starts (npm, npx,
// vitest, playwright, the servers they spawn) run on it. A line other than the running Node is
// the version pinned in scripts/lib/node-lines.mjs, installed from the npm registry into
// ${XDG_CACHE_HOME:-~/.cache}/idle-session the first time (with better-sqlite3 built for it,
// about a minute) and reused after that. node_modules is not changed: the default Node keeps
// working in the same checkout, also while this runs (decision 009). Exits with the command's status.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { knownLines, prepareLine } from './lib/node-lines.mjs';

const usage = `usage: node scripts/with-node.mjs <line> -- <command> [args...]
  <line>: a Node major version: ${knownLines.join(' or ')}`;

const [line, separator, command, ...args] = process.argv.slice(2);
if (!line || separator !== '--' || !command) {
  console.error(usage);
  process.exit(2);
}

let prepared;
try {
  prepared = prepareLine(line);
} catch (error) {
  console.error(`with-node: ${error.message}`);
  process.exit(1);
}
console.error(`with-node: Node ${prepared.version} (${prepared.node}): ${[command, ...args].join(' ')}`);

const child = spawn(command, args, { stdio: 'inherit', env: prepared.env });
// Signals sent to this process are passed on, as `npm run` passes them on; the command decides
// when to stop, and this process exits with it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.once('error', (error) => {
  console.error(`with-node: cannot run ${command}: ${error.message}`);
  process.exit(127);
});
child.once('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
