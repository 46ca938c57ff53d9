import type { Router } from 'express';
import express from 'express';
import { type Orm, pendingMigrations } from '../adapters/database/orm.js';

/**
 * /healthz: the process answers. /readyz: the database answers and no migration is pending; 503
 * while PostgreSQL is unreachable, and 200 again once it answers (each probe asks the pool for a
 * connection afresh, so no restart is needed). Neither answer is cached.
 */
export function healthRoutes(orm: Orm): Router {
  const router = express.Router();
  router.use(['/healthz', '/readyz'], (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      // Reading the migrations table is also the check that the database answers.
      const pending = await pendingMigrations(orm);
      if (pending.length > 0) {
        res.status(503).json({ status: 'migrations pending', pending: pending.length });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  return router;
}
