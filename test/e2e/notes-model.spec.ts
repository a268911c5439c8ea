import { test } from './support/fixtures';
import { runNotesModel } from './support/notes-model';

/**
 * The draft protocol's model-based test (test/e2e/support/notes-model.ts) on a server of its own
 * with short timings (idle 10 s, warning after 5 s), so "idle until signed out" is a step, not a
 * wait. CI runs these fixed seeds; `npm run soak:notes -- <count>` runs many more from a random
 * first seed (NOTES_MODEL_FIRST_SEED to replay one), printing each seed as it goes.
 */
const idleTimeoutMs = 10_000;
const soakSeeds = Number(process.env.NOTES_MODEL_SEEDS ?? 0);
const firstSeed = Number(process.env.NOTES_MODEL_FIRST_SEED ?? 1);
const steps = Number(process.env.NOTES_MODEL_STEPS ?? 12);
const seeds = soakSeeds > 0 ? Array.from({ length: soakSeeds }, (_, i) => firstSeed + i) : [1, 2, 3, 4];

for (const seed of seeds) {
  test(`the draft protocol holds its model: seed ${seed}, ${steps} steps`, async ({ context, startServer }) => {
    test.setTimeout(steps * 20_000);
    const { url } = await startServer({ env: { IDLE_TIMEOUT: `${idleTimeoutMs}ms`, IDLE_WARNING: '5s' } });
    // Each line with its minute, second and millisecond (UTC): a failure shows which step ran long.
    const log = (line: string) => console.log(`${new Date().toISOString().slice(14, 23)} ${line}`);
    await runNotesModel({ seed, steps, url, context, idleTimeoutMs, log });
  });
}
