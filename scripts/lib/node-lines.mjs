// Node lines beside the one node_modules was installed with (decision 009). A line is a Node
// major version. The running Node is its own line; any other is the version pinned here, installed
// from the npm registry (the `node-<platform>-<arch>` package: the official binary and its
// headers) into a cache outside the repo, with this repo's native addons built for its ABI into
// the same cache. Both are made once and reused.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cachedAddonPath } from './addon-cache.mjs';

/** The one place each line's version is pinned. The running Node needs no pin. */
export const pinnedVersions = { 24: '24.22.3' };

const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const preload = pathToFileURL(fileURLToPath(new URL('./addon-preload.mjs', import.meta.url))).href;

/** `${XDG_CACHE_HOME:-~/.cache}/idle-session`: Node binaries and addon builds, shared by every checkout. */
const cacheDir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'idle-session');
const addonsDir = join(cacheDir, 'addons');

/** The native addons in node_modules, each with the command that builds it in its package folder. */
const nativeAddons = [
  // build-release is better-sqlite3's own `node-gyp rebuild --release`; npm puts its bundled node-gyp on PATH.
  { packageName: 'better-sqlite3', file: 'better_sqlite3.node', build: ['npm', 'run', 'build-release'] },
];

/**
 * @typedef {object} NodeLine
 * @property {string} version e.g. `24.22.3`
 * @property {string} node the `node` binary
 * @property {NodeJS.ProcessEnv} env the environment a command on this line runs with
 */

/** The running Node's major version, as a line name. */
export const currentLine = process.versions.node.split('.')[0];

/** Every line a command can run on: the running Node's, then the pinned ones. */
export const knownLines = [...new Set([currentLine, ...Object.keys(pinnedVersions)])];

/**
 * Makes `line` ready (installing Node and building addons the first time) and returns how to run
 * a command on it. Progress goes to stderr. Throws with a message a person can act on.
 * @param {string} line a major version: the running one, or one of `pinnedVersions`
 * @returns {NodeLine}
 */
export function prepareLine(line) {
  if (line === currentLine) {
    return {
      version: process.versions.node,
      node: process.execPath,
      env: lineEnvironment(process.execPath, {}),
    };
  }
  const version = pinnedVersions[line];
  if (!version) {
    throw new Error(`no Node ${line} line: use ${knownLines.join(' or ')} (pins are in scripts/lib/node-lines.mjs)`);
  }
  const nodeDir = installNode(version);
  const node = join(nodeDir, 'bin', 'node');
  const env = lineEnvironment(node, {
    NODE_OPTIONS: withPreload(process.env.NODE_OPTIONS),
    IDLE_SESSION_ADDONS: addonsDir,
    // A native build on this line (ours below, or `npm rebuild` by hand) uses these headers, not
    // a download from nodejs.org.
    npm_config_nodedir: nodeDir,
  });
  buildAddons(version, node, env);
  return { version, node, env };
}

/** PATH with this Node first, so `node`, `npm` and `npx` and everything they start run on it. */
function lineEnvironment(node, extra) {
  return {
    ...process.env,
    PATH: [dirname(node), process.env.PATH].filter(Boolean).join(delimiter),
    // npm sets these to the Node that ran it; a script started from `npm run` must not follow them back.
    NODE: node,
    npm_node_execpath: node,
    ...extra,
  };
}

function withPreload(nodeOptions = '') {
  return nodeOptions.includes(preload) ? nodeOptions : `${nodeOptions} --import=${preload}`.trim();
}

function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`\`${[command, ...args].join(' ')}\` exited with ${result.status ?? result.signal}\n${output}`);
  }
  return (result.stdout ?? '').trim();
}

function reportsVersion(node, version) {
  const result = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.trim() === version;
}

/** Installs `node-<platform>-<arch>@version` under the cache once; returns the package folder. */
function installNode(version) {
  const packageName = `node-${process.platform}-${process.arch}`;
  const home = join(cacheDir, 'node', version);
  const nodeDir = join(home, 'node_modules', packageName);
  if (reportsVersion(join(nodeDir, 'bin', 'node'), version)) return nodeDir;

  console.error(`with-node: installing Node ${version} from the npm registry (${packageName}) into ${home}`);
  mkdirSync(dirname(home), { recursive: true });
  // Into a fresh folder, moved into place only when complete: an interrupted install is never reused.
  const staging = mkdtempSync(join(dirname(home), `.${version}-`));
  try {
    run(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        `${packageName}@${version}`,
      ],
      { cwd: staging },
    );
    const installed = join(staging, 'node_modules', packageName, 'bin', 'node');
    if (!reportsVersion(installed, version)) throw new Error(`${installed} does not run as Node ${version}`);
    // Another run may have finished first: then keep its copy, which may be in use.
    if (!reportsVersion(join(nodeDir, 'bin', 'node'), version)) {
      rmSync(home, { recursive: true, force: true });
      renameSync(staging, home);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return nodeDir;
}

/**
 * Builds each native addon for this Node's ABI into the cache, from the package's sources in
 * node_modules (copied, so node_modules is untouched), unless the cache has it. Then loads it
 * through the preload, as a test would, so a build that does not load fails here and is not kept.
 */
function buildAddons(version, node, env) {
  const abi = run(node, ['-p', 'process.versions.modules']);
  for (const { packageName, file, build } of nativeAddons) {
    const packageDir = join(repoRoot, 'node_modules', packageName);
    const defaultBuild = join(packageDir, 'build', 'Release', file);
    if (!existsSync(defaultBuild)) {
      throw new Error(`${defaultBuild} is missing: run \`npm ci\` (on the default Node) first`);
    }
    const packageVersion = versionOf(packageDir);
    const cached = cachedAddonPath(addonsDir, packageName, packageVersion, file, abi);
    if (existsSync(cached)) continue;

    console.error(
      `with-node: building ${packageName} ${packageVersion} for Node ${version} (ABI ${abi}) into ${dirname(cached)}; once, about a minute`,
    );
    mkdirSync(dirname(cached), { recursive: true });
    const work = mkdtempSync(join(addonsDir, '.build-'));
    try {
      const skip = join(packageDir, 'build');
      cpSync(packageDir, work, { recursive: true, filter: (source) => source !== skip });
      run(build[0], build.slice(1), { cwd: work, env });
      renameSync(join(work, 'build', 'Release', file), cached);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    loadsOrIsForgotten(node, defaultBuild, cached, env);
  }
}

/** The version in a package folder's package.json. */
function versionOf(packageDir) {
  return JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
}

/**
 * Loads the addon at `path` in a child `node` (with `env`, the preload included on another line);
 * when it does not load, drops the cache's copy `cached`, so that the next run builds it again,
 * and throws.
 */
function loadsOrIsForgotten(node, path, cached, env = process.env) {
  try {
    run(node, ['-e', 'require(process.argv[1])', path], { env });
  } catch (error) {
    rmSync(cached, { force: true });
    throw error;
  }
}

/**
 * For an install made with `--ignore-scripts` (.ci/run): puts each native addon's build for the
 * running Node into node_modules, from the cache when it holds one for this package version and
 * ABI, else built by the package's own install script (`npm rebuild <package>`, about a minute for
 * better-sqlite3) and then kept in the cache for the next install. Either way the file in
 * node_modules is then loaded, so a build that does not load fails here. Returns what it did, a
 * line per addon.
 */
export function installDefaultAddons() {
  const done = [];
  for (const { packageName, file } of nativeAddons) {
    const packageDir = join(repoRoot, 'node_modules', packageName);
    const packageVersion = versionOf(packageDir);
    const cached = cachedAddonPath(addonsDir, packageName, packageVersion, file);
    const target = join(packageDir, 'build', 'Release', file);
    const started = Date.now();
    let how;
    if (existsSync(cached)) {
      mkdirSync(dirname(target), { recursive: true });
      cpSync(cached, target);
      how = `from the cache (${dirname(cached)})`;
    } else {
      run('npm', ['rebuild', packageName], { cwd: repoRoot });
      mkdirSync(dirname(cached), { recursive: true });
      // Copied under a temporary name and renamed: another install never reads half a file.
      const partial = `${cached}.${process.pid}.partial`;
      cpSync(target, partial);
      renameSync(partial, cached);
      how = `built (its install script) and kept in ${dirname(cached)}`;
    }
    loadsOrIsForgotten(process.execPath, target, cached);
    done.push(
      `${packageName} ${packageVersion} for Node ${process.versions.node} (ABI ${process.versions.modules}): ${how}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  return done;
}
