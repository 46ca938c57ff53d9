import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger, RequestScope } from '../kernel/logger.js';

/**
 * Gives every request an id (returned in X-Request-Id), runs the rest of the
 * request inside its scope so log lines carry it, and logs one line when the
 * response is finished.
 */
export function requestScope(scope: AsyncLocalStorage<RequestScope>, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const store: RequestScope = { requestId: randomUUID() };
    const started = process.hrtime.bigint();
    res.setHeader('X-Request-Id', store.requestId);
    res.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          requestId: store.requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          durationMs: Math.round(durationMs * 10) / 10,
          operationName: store.operationName,
          userId: store.userId,
        },
        'request finished',
      );
    });
    scope.run(store, next);
  };
}
