/** Types for chromium.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */

/** `CHROMIUM_PATH`, or `/usr/bin/chromium`. */
export declare const chromiumPath: string;

/** Launch flags for every Chromium run in this repo. */
export declare const chromiumArgs: string[];
