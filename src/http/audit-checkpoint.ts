import { createHash, type JsonWebKey } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { SignedCheckpoint } from '../identity/domain/audit-checkpoint-signature.js';

export interface AuditCheckpointSource {
  latest(): Promise<SignedCheckpoint | undefined>;
  keys(): Promise<{ keys: JsonWebKey[] }>;
}

/** Checkpoints are signed every few minutes at most; a minute's caching costs a keeper little. */
const CACHE_CONTROL = 'public, max-age=60';

/**
 * The public face of the signed audit checkpoints, read from the database at each request:
 * `/.well-known/audit-checkpoint`, the latest checkpoint exactly as `npm run audit:checkpoint`
 * prints it (save the body as it is, and `audit:verify -- --against` takes it), 404 before the
 * first; `/.well-known/audit-checkpoint-keys`, every public key that signs them, to pin. Never in
 * the JWKS: these keys sign no token.
 */
export function auditCheckpointRoutes(source: AuditCheckpointSource): Router {
  const router = express.Router();
  router.get('/.well-known/audit-checkpoint', async (req, res, next) => {
    try {
      const checkpoint = await source.latest();
      if (!checkpoint) {
        res.setHeader('Cache-Control', 'no-store');
        res.status(404).json({
          errors: [{ message: 'No audit checkpoint has been signed yet', extensions: { code: 'NOT_FOUND' } }],
        });
        return;
      }
      sendJson(req, res, checkpoint);
    } catch (err) {
      res.setHeader('Cache-Control', 'no-store');
      next(err);
    }
  });
  router.get('/.well-known/audit-checkpoint-keys', async (req, res, next) => {
    try {
      sendJson(req, res, await source.keys());
    } catch (err) {
      res.setHeader('Cache-Control', 'no-store');
      next(err);
    }
  });
  return router;
}

/** JSON with a strong ETag over its bytes; 304 when If-None-Match names it (weak comparison). */
function sendJson(req: Request, res: Response, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  const etag = `"${createHash('sha256').update(body).digest('base64url')}"`;
  res.setHeader('Cache-Control', CACHE_CONTROL);
  res.setHeader('ETag', etag);
  const ifNoneMatch = req.get('if-none-match');
  if (ifNoneMatch?.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag)) {
    res.status(304).end();
    return;
  }
  res.type('application/json').send(body);
}
