// Preloaded (`--import`, through NODE_OPTIONS) by scripts/with-node.mjs into every Node process
// of a line other than the one node_modules was installed with. node_modules holds one build of
// each native addon, for the default Node's ABI; when this process's Node wants another ABI and
// the cache in IDLE_SESSION_ADDONS holds a build of that addon for it, that build is loaded
// instead. Nothing in node_modules changes, so both lines run in one checkout, even at once
// (decision 009). An addon without a cached build for this ABI loads as usual.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { cachedAddonPath } from './addon-cache.mjs';

const addonsDir = process.env.IDLE_SESSION_ADDONS;

/** `.../node_modules/<package>/build/Release/<file>.node`, the path node-gyp builds to. */
const buildPath = new RegExp(
  `\\${sep}node_modules\\${sep}((?:@[^\\${sep}]+\\${sep})?[^\\${sep}]+)\\${sep}build\\${sep}Release\\${sep}[^\\${sep}]+\\.node$`,
);

function cachedBuildFor(filename) {
  const match = buildPath.exec(filename);
  if (!match) return undefined;
  const packageDir = dirname(dirname(dirname(filename)));
  let version;
  try {
    version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
  const cached = cachedAddonPath(addonsDir, match[1].replace(sep, '/'), version, basename(filename));
  return existsSync(cached) ? cached : undefined;
}

if (addonsDir) {
  // require() loads every addon through process.dlopen (Module._extensions['.node']).
  const dlopen = process.dlopen;
  process.dlopen = function dlopenFromCache(module, filename, ...rest) {
    return dlopen.call(this, module, cachedBuildFor(filename) ?? filename, ...rest);
  };
}
