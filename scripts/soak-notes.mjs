#!/usr/bin/env node
// `npm run soak:notes -- [count] [steps]`: the draft protocol's model-based test
// (test/e2e/notes-model.spec.ts) on `count` seeds (default 20) of `steps` steps (default 16),
// from a random first seed, or NOTES_MODEL_FIRST_SEED to replay. Every step is printed with its
// seed; a failure prints the seed and the steps that led to it, so it replays exactly.
import { spawnSync } from 'node:child_process';
import { repoRoot } from './lib/app-server.mjs';

const count = Number(process.argv[2] ?? 20);
const steps = Number(process.argv[3] ?? 16);
const first = Number(process.env.NOTES_MODEL_FIRST_SEED ?? 1 + Math.floor(Math.random() * 1_000_000));
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(steps) || steps < 1) {
  console.error('usage: npm run soak:notes -- [count of seeds, default 20] [steps each, default 16]');
  process.exit(2);
}
console.log(`soak:notes: seeds ${first} to ${first + count - 1}, ${steps} steps each`);
const result = spawnSync(
  process.execPath,
  ['scripts/e2e.mjs', 'test/e2e/notes-model.spec.ts', '--project', 'chromium'],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      NOTES_MODEL_SEEDS: String(count),
      NOTES_MODEL_FIRST_SEED: String(first),
      NOTES_MODEL_STEPS: String(steps),
    },
  },
);
console.log(
  `soak:notes: seeds ${first} to ${first + count - 1}: ${result.status === 0 ? 'all held' : 'FAILED (see above)'}`,
);
process.exit(result.status ?? 1);
