import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { principalOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import { KEY_STATUSES } from '../principals/key-status.js';
import type { IssuedKey, KeysService } from './keys-service.js';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be an id (uuid)');
const name = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const description = z.string().max(500, 'must be at most 500 characters');
const permission = z.string().min(1).max(100);

export const CreateKeyBody = z
  .object({
    name,
    description: description.optional(),
    kind: z.enum(['service', 'personal']).optional(),
    groupId: uuid.nullable().optional(),
    ownerUserId: uuid.nullable().optional(),
    scim: z.boolean().optional(),
    permissions: z.array(permission).max(100).nullable().optional(),
    expiration: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .strict();
export type CreateKeyBody = z.infer<typeof CreateKeyBody>;

export const UpdateKeyBody = z.object({ name: name.optional(), description: description.optional(), groupId: uuid.optional() }).strict();

export const RotateKeyBody = z
  .object({
    gracePeriodSeconds: z.number().int().min(0).max(7 * 24 * 3600, 'must be at most 7 days').optional(),
    expiration: z.string().optional(),
    expiresAt: z.string().optional(),
  })
  .strict();

export const RevokeAllBody = z
  .object({ groupId: uuid.optional(), ownerUserId: uuid.optional() })
  .strict()
  .refine((b) => (b.groupId === undefined) !== (b.ownerUserId === undefined), { message: 'give exactly one of groupId or ownerUserId' });

export const ListKeysQuery = z.object({
  status: z.enum(KEY_STATUSES as [string, ...string[]]).optional(),
  q: z.string().max(200).optional(),
  owner: z.enum(['me', 'all']).optional(),
  groupId: uuid.optional(),
  ownerUserId: uuid.optional(),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

/** A response carrying a token: shown once, never stored by caches (DESIGN §4). */
function sendIssued(res: Response, status: number, issued: IssuedKey): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.status(status).json(issued);
}

/** /api/v1/keys (DESIGN §7); the rules live in KeysService. */
export function keysRoutes(keys: KeysService): Router {
  const router = Router();
  const ctx = (req: Request) => ({ principal: principalOf(req), requestId: req.id });

  router.post('/', async (req, res) => {
    sendIssued(res, 201, await keys.create(ctx(req), parseInput(CreateKeyBody, req.body)));
  });

  router.get('/', async (req, res) => {
    const query = parseInput(ListKeysQuery, req.query, 'query');
    res.json(await keys.list(ctx(req), { ...query, status: query.status as never }));
  });

  router.post('/revoke', async (req, res) => {
    res.json(await keys.revokeAll(ctx(req), parseInput(RevokeAllBody, req.body)));
  });

  router.get('/:id', async (req, res) => {
    res.json(await keys.get(ctx(req), String(req.params.id)));
  });

  router.patch('/:id', async (req, res) => {
    res.json(await keys.update(ctx(req), String(req.params.id), parseInput(UpdateKeyBody, req.body)));
  });

  router.delete('/:id', async (req, res) => {
    res.json(await keys.revoke(ctx(req), String(req.params.id)));
  });

  router.post('/:id/rotate', async (req, res) => {
    sendIssued(res, 201, await keys.rotate(ctx(req), String(req.params.id), parseInput(RotateKeyBody, req.body)));
  });

  return router;
}
