#!/usr/bin/env node
// After `npm ci --ignore-scripts` (.ci/run): each native addon's build for this Node into
// node_modules, from the per-ABI cache that scripts/with-node.mjs fills for the other Node lines,
// or built once and kept there (decision 030). Exits 1 with the reason when one cannot be had.
import { installDefaultAddons } from './lib/node-lines.mjs';

try {
  for (const line of installDefaultAddons()) console.log(`native-addons: ${line}`);
} catch (error) {
  console.error(`native-addons: ${error.message}`);
  process.exit(1);
}
