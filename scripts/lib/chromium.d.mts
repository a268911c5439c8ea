/** Types for chromium.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */

/** `CHROMIUM_PATH`, else `/usr/bin/chromium`. */
export declare const chromiumPath: string;

/** Launch flags: no sandbox (root in a container), no GPU, and no background traffic of its own. */
export declare const chromiumArgs: readonly string[];
