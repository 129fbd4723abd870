import type { Express } from 'express';
import type { Db } from '../db/db.js';

const READY_TIMEOUT_MS = 2000;

/** The probes: a load balancer or orchestrator asks every few seconds, so they are logged at debug. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** /healthz: the process answers. /readyz: the database answers too (fails while it is unreachable, recovers with it). */
export function healthRoutes(app: Express, db: Db): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await Promise.race([
        db.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS).unref()),
      ]);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', detail: 'The database does not answer' });
    }
  });
}
