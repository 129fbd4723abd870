import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  timestamp: string;
  type: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  body: string;
}

/**
 * A webhook receiver as a customer would run one: a real HTTP server that verifies EVERY request's
 * signature with the standardwebhooks package and refuses (and counts) what does not verify. `answer`
 * decides the status code of each verified request (200 unless told otherwise).
 */
export interface WebhookReceiver {
  url: string;
  port: number;
  /** Verified requests, in arrival order (redeliveries included). */
  received: ReceivedEvent[];
  /** Requests whose signature did not verify. */
  refused: { headers: Record<string, unknown>; body: string; error: string }[];
  answer: (event: ReceivedEvent, attempt: number) => number | Promise<number>;
  setSecret(secret: string): void;
  /** Stops listening (the receiver is down); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  let verifier: Webhook | undefined;
  const attempts = new Map<string, number>();
  let server: Server | undefined;
  const receiver: WebhookReceiver = {
    url: '',
    port,
    received: [],
    refused: [],
    answer: () => 200,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async start() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
          try {
            if (!verifier) throw new Error('no secret set');
            const payload = verifier.verify(body, headers) as ReceivedEvent['payload'];
            const event: ReceivedEvent = {
              id: headers['webhook-id']!,
              timestamp: headers['webhook-timestamp']!,
              type: payload.type,
              payload,
              body,
            };
            receiver.received.push(event);
            const n = (attempts.get(event.id) ?? 0) + 1;
            attempts.set(event.id, n);
            const status = await receiver.answer(event, n);
            res.writeHead(status, { 'Content-Type': 'text/plain' }).end(status < 300 ? 'ok' : `refused ${status}`);
          } catch (error) {
            receiver.refused.push({ headers, body, error: error instanceof Error ? error.message : String(error) });
            res.writeHead(400).end('bad signature');
          }
        });
      });
      await new Promise<void>((resolve) => server!.listen(receiver.port, '127.0.0.1', resolve));
      receiver.port = (server.address() as { port: number }).port;
      receiver.url = `http://127.0.0.1:${receiver.port}/hooks`;
    },
  };
  await receiver.start();
  return receiver;
}
