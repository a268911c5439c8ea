import { Hono } from 'hono';
import type { HealthResponse } from '../../shared/contract';
import type { Logger } from '../logger';
import type { SessionStore } from '../stores/store';
import { storeRetryAfterSeconds } from '../stores/unavailable';

/** `/api/health`: 200 when the store answers, 503 when it does not (for load balancers). */
export function healthRoutes(store: SessionStore, logger: Logger) {
  return new Hono().get('/', async (c) => {
    try {
      await store.ping();
      return c.json({ status: 'ok' } satisfies HealthResponse);
    } catch (error) {
      logger.error('store_unavailable', { message: error instanceof Error ? error.message : String(error) });
      c.header('Retry-After', String(storeRetryAfterSeconds));
      return c.json({ status: 'unavailable' } satisfies HealthResponse, 503);
    }
  });
}
