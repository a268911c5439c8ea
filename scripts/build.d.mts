/** Types for build.mjs (plain JavaScript so that `npm start` needs no TypeScript loader). */

export declare const repoRoot: string;
export declare const distDir: string;
/** The compiled server entry: what `npm start` and `npm run serve` run with plain `node`. */
export declare const serverEntry: string;
/** What `npm run sessions` runs: build/server/sessions.js. */
export declare const sessionsEntry: string;

export declare function precompress(dir: string): number;
export declare function buildSpa(): Promise<void>;
export declare function buildServer(): Promise<void>;
/** Builds the server when its sources changed since the last build; else nothing. */
export declare function buildServerIfStale(): Promise<void>;
