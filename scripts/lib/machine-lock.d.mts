/** Types for machine-lock.mjs (plain JavaScript so that scripts/*.mjs can use it without a build). */
export function holdMachineLock(
  name: string,
  options?: { onWait?: () => void; retryMs?: number; timeoutMs?: number },
): Promise<void>;
/** The loopback TCP port that is the lock `name`. */
export function lockPort(name: string): number;
