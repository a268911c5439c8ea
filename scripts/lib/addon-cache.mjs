// Where a native addon built for one Node ABI is kept, outside the repo: one file per
// (package, package version, ABI, platform, arch). scripts/lib/node-lines.mjs fills it and
// scripts/lib/addon-preload.mjs reads it (decision 009).
import { join } from 'node:path';

/**
 * The cached build of `file` (e.g. `better_sqlite3.node`) from `packageName@packageVersion` for
 * the Node ABI `abi` (`process.versions.modules`, 115 for Node 20, 137 for Node 24).
 */
export function cachedAddonPath(addonsDir, packageName, packageVersion, file, abi = process.versions.modules) {
  return join(
    addonsDir,
    `${packageName.replace('/', '+')}@${packageVersion}`,
    `node-v${abi}-${process.platform}-${process.arch}`,
    file,
  );
}
