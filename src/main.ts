import cluster from 'node:cluster';
import { runPrimary } from './cluster.js';
import { ConfigError, configWarnings, loadConfig, type Config } from './config.js';
import { bufferedStdout, createLogger } from './http/logger.js';
import { runServer } from './server.js';

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
  const logger = createLogger(config.logLevel, logs.stream);
  process.on('exit', () => logs.flushSync());
  if (!cluster.isWorker) for (const warning of configWarnings(config)) logger.warn(warning);

  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger);

  const worker = cluster.isWorker;
  const running = await runServer(config, worker ? logger.child({ worker: cluster.worker?.id }) : logger, {
    prepareDatabase: !worker,
    metricsListener: !worker,
  });
  let stopping = false;
  // The last lines are written while the event loop still runs, so a failed stdout shows up as an error
  // instead of a flush at exit that retries it.
  const exit = (code: number) => logs.close().then(() => process.exit(code));
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.shutdown(signal).then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        return exit(1);
      },
    );
  };
  // Repeated signals while draining change nothing: the shutdown timeout bounds how long it takes.
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`keyscope: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
