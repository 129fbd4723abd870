import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { createKeyscope, type Keyscope } from './app.js';
import type { Config } from './config.js';
import { migrate } from './db/migrate.js';
import { openDb } from './db/open-db.js';
import { startMetricsListener, type MetricsListener } from './http/metrics-listener.js';

export interface RunningServer {
  keyscope: Keyscope;
  server: Server;
  /** The METRICS_PORT listener, when this process serves one. */
  metrics: MetricsListener | undefined;
  /** Graceful stop: refuse new requests, finish in-flight ones, close the database. Resolves when done. */
  shutdown(reason: string): Promise<void>;
}

/**
 * One keyscope process: opens the database, optionally migrates and bootstraps it (a single
 * process does; cluster workers leave that to the primary), and serves HTTP. With METRICS_PORT,
 * a single process also serves /metrics there (in a cluster the primary does, for every worker).
 */
export async function runServer(
  config: Config,
  logger: Logger,
  options: { prepareDatabase: boolean; metricsListener?: boolean },
): Promise<RunningServer> {
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    poolSize: config.databasePoolSize,
  });
  if (options.prepareDatabase) {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
  }
  const keyscope = await createKeyscope({ db, config, logger });
  if (options.prepareDatabase) await bootstrapAndAnnounce(keyscope, config, logger);

  let draining = false;
  const server = createServer((req, res) => {
    if (draining) {
      // Refused while shutting down: the client may retry on another process.
      res.writeHead(503, { 'Content-Type': 'application/problem+json', Connection: 'close', 'Retry-After': '1' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'This keyscope process is shutting down',
          code: 'shutting_down',
        }),
      );
      return;
    }
    keyscope.app(req, res);
  });
  // Keep-alive connections must not outlive a load balancer's idle timeout in the wrong order.
  server.keepAliveTimeout = 65_000;
  const metrics =
    options.metricsListener !== false && config.metricsPort !== undefined
      ? await startMetricsListener({
          port: config.metricsPort,
          host: config.metricsHost,
          render: () => keyscope.metrics.render(),
          logger,
        })
      : undefined;
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, database: db.kind, pid: process.pid, ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}) },
    `keyscope listening on ${listeningOn(config.host, port)}${config.publicUrl ? `, reached at ${config.publicUrl}` : ''}`,
  );

  let stopping: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: finishing in-flight requests, refusing new ones');
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), config.shutdownTimeoutMs).unref(),
      );
      if ((await Promise.race([closed, timeout])) === 'timeout') {
        logger.warn('in-flight requests did not finish in time; closing their connections');
        server.closeAllConnections();
      }
      await metrics?.close();
      await keyscope.stop();
      await db.close();
      logger.info('stopped: database closed');
    })();
    return stopping;
  };
  return { keyscope, server, metrics, shutdown };
}

/** Without HOST, Node listens on every interface: the log says so rather than naming one. */
function listeningOn(host: string | undefined, port: number): string {
  if (!host) return `all interfaces, port ${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function bootstrapAndAnnounce(keyscope: Keyscope, config: Config, logger: Logger): Promise<void> {
  const boot = await keyscope.orgs.bootstrap(config.bootstrapAdminKey);
  if (!boot.created) return;
  if (boot.token) {
    // Printed once, to the terminal only: never through the logger.
    process.stdout.write(
      `\nkeyscope: created organization "${boot.organization.name}" with an admin key. It is shown once; store it now:\n\n  ${boot.token}\n\n`,
    );
  } else {
    logger.info('created organization "default" with the admin key given in BOOTSTRAP_ADMIN_KEY');
  }
}

/** Runs migrations and bootstrap without serving (the cluster primary, before it forks workers). */
export async function prepareDatabase(config: Config, logger: Logger): Promise<void> {
  const db = await openDb({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    logger,
    poolSize: config.databasePoolSize,
  });
  try {
    const applied = await migrate(db);
    if (applied.length) logger.info({ applied }, 'database migrated');
    const keyscope = await createKeyscope({ db, config, logger });
    try {
      await bootstrapAndAnnounce(keyscope, config, logger);
    } finally {
      await keyscope.stop();
    }
  } finally {
    await db.close();
  }
}
