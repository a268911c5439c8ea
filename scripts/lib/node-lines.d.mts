/** Types for node-lines.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */

/** The one place each line's version is pinned, by major version. The running Node needs no pin. */
export declare const pinnedVersions: Record<string, string>;

/** The running Node's major version, as a line name. */
export declare const currentLine: string;

/** Every line a command can run on: the running Node's, then the pinned ones. */
export declare const knownLines: string[];

export interface NodeLine {
  /** e.g. `24.22.3` */
  version: string;
  /** The `node` binary. */
  node: string;
  /** The environment a command on this line runs with. */
  env: NodeJS.ProcessEnv;
}

/** Makes `line` ready (installing Node and building addons the first time); throws with a message to act on. */
export declare function prepareLine(line: string): NodeLine;
