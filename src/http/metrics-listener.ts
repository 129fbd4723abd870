import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';

export interface MetricsListenerOptions {
  port: number;
  host: string;
  /** Prometheus text of this process, or of every cluster worker added up. */
  render: () => Promise<{ contentType: string; text: string }>;
  logger: Logger;
}

export interface MetricsListener {
  server: Server;
  /** The port it listens on (METRICS_PORT, or the one the system chose for 0). */
  port: number;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: a listener of its own that serves GET /metrics to Prometheus without a key, bound to
 * METRICS_HOST (loopback by default), so the public listener can demand metrics:read. It serves
 * nothing else, and logs no scrape: Prometheus asks every few seconds.
 */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const { render, logger } = options;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Only /metrics is served here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    render().then(
      ({ contentType, text }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        logger.warn({ err: message }, 'metrics could not be gathered');
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
        res.end(`metrics unavailable: ${message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  logger.info({ metricsPort: port }, `metrics listening on http://${host}:${port}/metrics (no key asked)`);
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
