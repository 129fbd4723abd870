import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { prepareDatabase } from './server.js';

import { METRICS_REPLY, METRICS_REQUEST } from './http/cluster-messages.js';
import { startMetricsListener, type MetricsListener } from './http/metrics-listener.js';
import { ClusterMetrics } from './cluster-metrics.js';

const RESTART_DELAY_MS = 1000;

/**
 * WORKERS=n: the primary migrates and bootstraps once, then forks n workers that share the port
 * (node:cluster) and one PostgreSQL; their caches stay coherent through LISTEN/NOTIFY. A worker
 * that dies is replaced; SIGTERM drains every worker before the primary exits.
 */
export async function runPrimary(config: Config, logger: Logger): Promise<void> {
  await prepareDatabase(config, logger);
  let stopping = false;
  const metrics = new ClusterMetrics();

  const fork = () => cluster.fork({ KEYSCOPE_WORKER: '1' });
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'worker died; starting another');
    setTimeout(fork, RESTART_DELAY_MS).unref();
  });
  // A worker asked for /metrics: answer with every worker's metrics added up.
  cluster.on('message', (worker: Worker, message: { type?: string; id?: number }) => {
    if (message?.type !== METRICS_REQUEST) return;
    metrics.gather().then(
      (text) => worker.send({ type: METRICS_REPLY, id: message.id, text }),
      (err: Error) => worker.send({ type: METRICS_REPLY, id: message.id, error: err.message }),
    );
  });
  // METRICS_PORT: the primary serves it, with every worker's metrics added up.
  const metricsListener: MetricsListener | undefined =
    config.metricsPort !== undefined
      ? await startMetricsListener({
          port: config.metricsPort,
          host: config.metricsHost,
          render: () => metrics.render(),
          logger,
        })
      : undefined;
  for (let i = 0; i < config.workers; i++) fork();
  logger.info({ workers: config.workers }, 'cluster started');

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    void metricsListener?.close();
    const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2000);
    timer.unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
