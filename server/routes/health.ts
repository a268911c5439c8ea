import { Hono, type Context } from 'hono';
import type { HealthResponse } from '../../shared/contract';
import type { AppEnv } from '../http/env';
import type { SessionStore } from '../stores/store';
import { storeRetryAfterSeconds } from '../stores/unavailable';

/** Whether the server is on its way out: true from SIGTERM until it stops accepting (main.ts). */
export interface Readiness {
  draining(): boolean;
}

const running: Readiness = { draining: () => false };

/**
 * `/api/health` (200 when the store answers, 503 when it does not: for load balancers), and the
 * split an orchestrator wants: `/live` (200 while the process runs and answers; nothing else is
 * checked, so a store outage never gets the process restarted) and `/ready` (503 while the store
 * is down, or while draining after SIGTERM, so no new traffic comes before it stops accepting).
 */
export function healthRoutes(store: SessionStore, readiness: Readiness = running) {
  async function storeHealth(c: Context<AppEnv>) {
    try {
      await store.ping();
      return c.json({ status: 'ok' } satisfies HealthResponse);
    } catch (error) {
      c.get('log').error('store_unavailable', { message: error instanceof Error ? error.message : String(error) });
      c.header('Retry-After', String(storeRetryAfterSeconds));
      return c.json({ status: 'unavailable' } satisfies HealthResponse, 503);
    }
  }
  return new Hono<AppEnv>()
    .get('/', storeHealth)
    .get('/live', (c) => c.json({ status: 'ok' } satisfies HealthResponse))
    .get('/ready', (c) =>
      readiness.draining() ? c.json({ status: 'draining' } satisfies HealthResponse, 503) : storeHealth(c),
    );
}
