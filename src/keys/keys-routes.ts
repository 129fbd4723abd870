import { Router, type Response } from 'express';
import { contextOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import type { IssuedKey, KeysService } from './keys-service.js';
import { CreateKeyBody, ListKeysQuery, RestoreAllBody, RevokeAllBody, RotateKeyBody, UpdateKeyBody } from './keys.js';

/** A response carrying a token: shown once, never stored by caches (DESIGN §4). */
function sendIssued(res: Response, status: number, issued: IssuedKey): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.status(status).json(issued);
}

/** /api/v1/keys (DESIGN §7); the rules live in KeysService. */
export function keysRoutes(keys: KeysService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    sendIssued(res, 201, await keys.create(contextOf(req), parseInput(CreateKeyBody, req.body)));
  });

  router.get('/', async (req, res) => {
    const query = parseInput(ListKeysQuery, req.query, 'query');
    res.json(await keys.list(contextOf(req), query));
  });

  router.post('/revoke', async (req, res) => {
    res.json(await keys.revokeAll(contextOf(req), parseInput(RevokeAllBody, req.body)));
  });

  router.post('/restore', async (req, res) => {
    res.json(await keys.restoreAll(contextOf(req), parseInput(RestoreAllBody, req.body).ownerUserId));
  });

  router.get('/:id', async (req, res) => {
    res.json(await keys.get(contextOf(req), String(req.params.id)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(await keys.update(contextOf(req), String(req.params.id), parseInput(UpdateKeyBody, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    res.json(await keys.revoke(contextOf(req), String(req.params.id)));
  });

  router.post('/:id/rotate', async (req, res) => {
    sendIssued(res, 201, await keys.rotate(contextOf(req), String(req.params.id), parseInput(RotateKeyBody, req.body)));
  });

  router.post('/:id/restore', async (req, res) => {
    res.json(await keys.restore(contextOf(req), String(req.params.id)));
  });

  return router;
}
