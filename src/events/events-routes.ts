import { Router } from 'express';
import { contextOf } from '../http/authenticate.js';
import { parseInput } from '../http/validate.js';
import { CreateWebhookBody, type Delivery, DeliveriesQuery, UpdateWebhookBody, type Webhook } from './events.js';
import type { WebhooksService } from './events-service.js';

function webhookJson(w: Webhook) {
  return { ...w, createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString() };
}

function deliveryJson(d: Delivery) {
  const iso = (x: Date | null) => x?.toISOString() ?? null;
  return {
    ...d,
    createdAt: d.createdAt.toISOString(),
    nextAttemptAt: iso(d.nextAttemptAt),
    deliveredAt: iso(d.deliveredAt),
    attemptLog: d.attemptLog.map((a) => ({ ...a, at: a.at.toISOString() })),
  };
}

/** /api/v1/webhooks (issue 14, docs/signals.md#webhooks); the rules live in WebhooksService. */
export function webhooksRoutes(webhooks: WebhooksService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { webhook, secret } = await webhooks.create(contextOf(req), parseInput(CreateWebhookBody, req.body));
    // The signing secret is shown this once: never stored by caches.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.status(201).json({ secret, webhook: webhookJson(webhook) });
  });

  router.get('/', async (req, res) => {
    res.json({ items: (await webhooks.list(contextOf(req))).map(webhookJson) });
  });

  router.get('/:id', async (req, res) => {
    res.json(webhookJson(await webhooks.get(contextOf(req), String(req.params.id))));
  });

  router.patch('/:id', async (req, res) => {
    const body = parseInput(UpdateWebhookBody, req.body);
    res.json(webhookJson(await webhooks.update(contextOf(req), String(req.params.id), body)));
  });

  router.delete('/:id', async (req, res) => {
    await webhooks.delete(contextOf(req), String(req.params.id));
    res.status(204).end();
  });

  router.get('/:id/deliveries', async (req, res) => {
    const query = parseInput(DeliveriesQuery, req.query, 'query');
    const page = await webhooks.deliveries(contextOf(req), String(req.params.id), query);
    res.json({ items: page.items.map(deliveryJson), nextCursor: page.nextCursor });
  });

  router.post('/:id/deliveries/:deliveryId/redeliver', async (req, res) => {
    await webhooks.redeliver(contextOf(req), String(req.params.id), String(req.params.deliveryId));
    res.status(202).json({ queued: true });
  });

  return router;
}
