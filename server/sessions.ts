/**
 * `npm run sessions -- <command>`: the operator's command (list, end, stats), on the store the
 * server's settings name, also while servers run. Built with the server (scripts/build.mjs ->
 * build/server/sessions.js, decision 011). Human output on stdout; the JSON log line
 * (`sessions_ended_by_operator`) and errors on stderr.
 */
import { createInterface } from 'node:readline/promises';
import { parseConfig } from './config';
import { ConfigError } from './config-values';
import { createJsonLogger } from './logger';
import { runSessionsCommand } from './operator/sessions-command';
import { openStore } from './stores/open-store';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let parsed: ReturnType<typeof parseConfig>;
try {
  parsed = parseConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) fail(`Configuration error: ${error.message}`);
  throw error;
}
const { config } = parsed;

const store = await openStore(config).catch((error: Error) =>
  fail(`Cannot open the session store (SESSION_STORE=${config.store}): ${error.message}`),
);

async function ask(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

let code: number;
try {
  code = await runSessionsCommand(process.argv.slice(2), {
    store,
    config,
    logger: createJsonLogger((line) => process.stderr.write(line + '\n')),
    print: (line) => console.log(line),
    warn: (line) => console.error(line),
    ask: process.stdin.isTTY ? ask : undefined,
  });
} catch (error) {
  console.error(`The session store failed (SESSION_STORE=${config.store}): ${(error as Error).message}`);
  code = 1;
}
await store.close().catch(() => {});
process.exit(code);
