import type { Worker } from 'node:cluster';
import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { WORKER_METRICS_REPLY, WORKER_METRICS_REQUEST } from './http/cluster-messages.js';

const TIMEOUT_MS = 5000;

/** One worker's registry, as its getMetricsAsJSON() gives it. */
type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

interface Reply {
  type?: string;
  id?: number;
  metrics?: WorkerMetrics;
  error?: string;
}

/**
 * The primary's view of /metrics: every serving worker's registry, added up. Only workers that
 * listen are asked: one still starting (after a crash, say) has nothing to count yet, and waiting
 * for it would fail the scrape.
 */
export class ClusterMetrics {
  private readonly serving = new Set<Worker>();
  private nextId = 0;

  constructor() {
    cluster.on('listening', (worker) => this.serving.add(worker));
    cluster.on('exit', (worker) => this.serving.delete(worker));
  }

  /** What the METRICS_PORT listener of the primary answers. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE, text: await this.gather() };
  }

  async gather(): Promise<string> {
    const workers = [...this.serving].filter((w) => w.isConnected());
    const replies = await Promise.all(workers.map((w) => this.ask(w)));
    return AggregatorRegistry.aggregate(replies).metrics();
  }

  private ask(worker: Worker): Promise<WorkerMetrics> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const onMessage = (message: Reply) => {
        if (message?.type !== WORKER_METRICS_REPLY || message.id !== id) return;
        done();
        if (message.error !== undefined) reject(new Error(`worker ${worker.process.pid}: ${message.error}`));
        else resolve(message.metrics ?? []);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`worker ${worker.process.pid} did not answer within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.send({ type: WORKER_METRICS_REQUEST, id });
    });
  }
}
