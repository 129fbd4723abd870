import { createServer } from 'node:http';
import { createKeyscope } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { migrate } from './db/migrate.js';
import { openDb } from './db/open-db.js';
import { bufferedStdout, createLogger } from './http/logger.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keyscope: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logs = bufferedStdout();
  const logger = createLogger(config.logLevel, logs);
  process.on('exit', () => logs.flushSync());
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'database migrated');

  const keyscope = await createKeyscope({ db, config, logger });
  const boot = await keyscope.orgs.bootstrap(config.bootstrapAdminKey);
  if (boot.created) {
    if (boot.token) {
      // Printed once, to the terminal only: never through the logger.
      process.stdout.write(
        `\nkeyscope: created organization "${boot.organization.name}" with an admin key. It is shown once; store it now:\n\n  ${boot.token}\n\n`,
      );
    } else {
      logger.info('created organization "default" with the admin key given in BOOTSTRAP_ADMIN_KEY');
    }
  }

  const server = createServer(keyscope.app);
  server.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ port, database: db.kind }, `keyscope listening on http://${config.host ?? 'localhost'}:${port}`);
  });

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close(async () => {
      await keyscope.stop();
      await db.close();
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`keyscope: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
