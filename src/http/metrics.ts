import cluster from 'node:cluster';
import type { Request, Response } from 'express';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS_REPLY, METRICS_REQUEST, WORKER_METRICS_REPLY, WORKER_METRICS_REQUEST } from './cluster-messages.js';
import { HttpError } from './http-error.js';
import { pathOf } from './request-path.js';
import { RequestMetrics } from './request-metrics.js';

/**
 * Routes as metric labels: ids folded into `:id` so a label can only take a bounded set of
 * values, whatever clients request.
 */
const ROUTES: [RegExp, string][] = [
  [/^\/scim\/v2\/(users|groups)\/\.search$/i, '/scim/v2/$1/.search'],
  [/^\/scim\/v2\/\.search$/i, '/scim/v2/.search'],
  [/^\/scim\/v2\/(users|groups|roles|entitlements)\/[^/]+$/i, '/scim/v2/$1/:id'],
  [/^\/scim\/v2\/(users|groups|roles|entitlements|serviceproviderconfig|resourcetypes|schemas)$/i, '/scim/v2/$1'],
  [/^\/scim\/v2\/(resourcetypes|schemas)\/[^/]+$/i, '/scim/v2/$1/:id'],
  [/^\/api\/v1\/keys\/revoke$/, '/api/v1/keys/revoke'],
  [/^\/api\/v1\/keys\/[^/]+\/rotate$/, '/api/v1/keys/:id/rotate'],
  [/^\/api\/v1\/keys\/[^/]+$/, '/api/v1/keys/:id'],
  [/^\/api\/v1\/groups\/[^/]+\/(members|rules)$/, '/api/v1/groups/:id/$1'],
  [/^\/api\/v1\/groups\/[^/]+$/, '/api/v1/groups/:id'],
  [/^\/api\/v1\/users\/[^/]+$/, '/api/v1/users/:id'],
  [/^\/api\/v1\/scim-schemas\/[^/]+$/, '/api/v1/scim-schemas/:urn'],
  [
    /^\/api\/v1\/(keys|groups|users|scim-schemas|audit|permissions|me|authorize|introspect|organizations|organizations\/current|openapi\.json)$/,
    '/api/v1/$1',
  ],
  [/^\/(healthz|readyz|metrics)$/, '/$1'],
  [/^\/ui(\/.*)?$/, '/ui'],
];

const MAX_KEPT_SERIES = 2000;
const MAX_KEPT_PATH = 200;
const MAX_SCHEMA_LABELS = 50;

export function routeLabel(path: string): string {
  for (const [pattern, label] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return label.replace('$1', canonical(m[1] ?? ''));
  }
  return 'other';
}

const CANONICAL: Record<string, string> = {
  users: 'Users',
  groups: 'Groups',
  roles: 'Roles',
  entitlements: 'Entitlements',
  serviceproviderconfig: 'ServiceProviderConfig',
  resourcetypes: 'ResourceTypes',
  schemas: 'Schemas',
};
function canonical(segment: string): string {
  return CANONICAL[segment.toLowerCase()] ?? segment;
}

/** The principal cache's counters since start, read at scrape time. */
export interface PrincipalCacheStats {
  hits: number;
  misses: number;
  size: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics(this.registry);
  readonly authFailures = new Counter({
    name: 'keyscope_auth_failures_total',
    help: 'Refused authentications by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly pickupLag = new Histogram({
    name: 'keyscope_pickup_lag_seconds',
    help: 'Time from a change committed (any process) to this process evicting what it affects',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  /** Security signals received (issue 14), by source and outcome (`accepted`, or the refusal's code). */
  readonly signals = new Counter({
    name: 'keyscope_signals_total',
    help: 'Security signals received (Universal Logout, Shared Signals), by source and outcome',
    labelNames: ['source', 'outcome'],
    registers: [this.registry],
  });

  private readonly unregistered = new Counter({
    name: 'keyscope_scim_unregistered_attributes_total',
    help: 'Attributes of SCIM extension schemas the organization did not register: accepted, not stored (RFC 7644 §3.3)',
    labelNames: ['schema'],
    registers: [this.registry],
  });
  private readonly unregisteredSchemas = new Set<string>();

  /**
   * Counts attributes of an unregistered extension. The schema URN is the client's, so the label is
   * bounded: the first MAX_SCHEMA_LABELS URNs this process sees are labels, later ones are "other".
   */
  readonly countUnregistered = (schema: string, count: number): void => {
    const urn = schema.toLowerCase().slice(0, 200);
    if (!this.unregisteredSchemas.has(urn) && this.unregisteredSchemas.size < MAX_SCHEMA_LABELS)
      this.unregisteredSchemas.add(urn);
    this.unregistered.inc({ schema: this.unregisteredSchemas.has(urn) ? urn : 'other' }, count);
  };

  constructor(cacheStats: () => PrincipalCacheStats, bcryptComparisons: () => number) {
    collectDefaultMetrics({ register: this.registry, prefix: 'keyscope_' });
    let reported = { hits: 0, misses: 0, bcrypt: 0 };
    new Counter({
      name: 'keyscope_principal_cache_hits_total',
      help: 'Requests answered from the principal cache',
      registers: [this.registry],
      collect() {
        const { hits } = cacheStats();
        this.inc(hits - reported.hits);
        reported = { ...reported, hits };
      },
    });
    new Counter({
      name: 'keyscope_principal_cache_misses_total',
      help: 'Requests that resolved their key from the database',
      registers: [this.registry],
      collect() {
        const { misses } = cacheStats();
        this.inc(misses - reported.misses);
        reported = { ...reported, misses };
      },
    });
    new Gauge({
      name: 'keyscope_principal_cache_hit_ratio',
      help: 'Principal cache hits / lookups since start',
      registers: [this.registry],
      aggregator: 'average',
      collect() {
        const { hits, misses } = cacheStats();
        const total = hits + misses;
        this.set(total ? hits / total : 0);
      },
    });
    new Gauge({
      name: 'keyscope_principal_cache_entries',
      help: 'Principals cached now',
      registers: [this.registry],
      collect() {
        this.set(cacheStats().size);
      },
    });
    new Counter({
      name: 'keyscope_bcrypt_comparisons_total',
      help: 'bcrypt comparisons (each new token pays one; cached tokens none)',
      registers: [this.registry],
      collect() {
        const now = bcryptComparisons();
        this.inc(now - reported.bcrypt);
        reported = { ...reported, bcrypt: now };
      },
    });
    // In a cluster worker, the primary adds this registry up with the other workers' (cluster-metrics.ts).
    if (cluster.isWorker) answerPrimaryWith(this.registry);
  }

  /**
   * The cells one method, path and status count in, kept: finding the route label takes a dozen
   * regular expressions. Bounded: methods are what Node accepts and statuses three digits; paths
   * carry ids, so when a few thousand are kept, start again and the busy ones come back first.
   */
  private readonly cells = new Map<string, ReturnType<RequestMetrics['cellsOf']>>();

  private cellsOf(method: string, path: string, status: number) {
    const key = `${method} ${status} ${path}`;
    let found = this.cells.get(key);
    if (!found) {
      found = this.requests.cellsOf(method, routeLabel(path), status);
      if (this.cells.size >= MAX_KEPT_SERIES) this.cells.clear();
      if (path.length <= MAX_KEPT_PATH) this.cells.set(key, found);
    }
    return found;
  }

  /** Counts a finished request and its duration (called by requestContext's one 'finish' listener). */
  readonly observe = (req: Request, res: Response, seconds: number): void => {
    RequestMetrics.add(this.cellsOf(req.method, pathOf(req), res.statusCode), seconds);
  };

  /** Prometheus text: this process's, or in a cluster every worker's added up by the primary. */
  async render(): Promise<{ contentType: string; text: string }> {
    if (!cluster.isWorker || !process.send)
      return { contentType: this.registry.contentType, text: await this.registry.metrics() };
    try {
      return { contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE, text: await askPrimary() };
    } catch (error) {
      throw new HttpError(
        503,
        'metrics_unavailable',
        `The cluster's metrics could not be gathered: ${error instanceof Error ? error.message : String(error)}`,
        { headers: { 'Retry-After': '1' } },
      );
    }
  }
}

function answerPrimaryWith(registry: Registry): void {
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type !== WORKER_METRICS_REQUEST) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send!({ type: WORKER_METRICS_REPLY, id: message.id, metrics }),
      (error: Error) => process.send!({ type: WORKER_METRICS_REPLY, id: message.id, error: error.message }),
    );
  });
}

let nextRequest = 0;
function askPrimary(): Promise<string> {
  const id = ++nextRequest;
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string; id?: number; text?: string; error?: string }) => {
      if (message?.type !== METRICS_REPLY || message.id !== id) return;
      process.off('message', onMessage);
      clearTimeout(timer);
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the cluster primary did not answer for metrics'));
    }, 7000); // longer than the primary's own 5 s per worker, so its error (naming the worker) comes first
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id });
  });
}
