import type { Registry } from 'prom-client';

const REQUESTS = 'keyscope_http_requests_total';
const DURATION = 'keyscope_http_request_duration_seconds';
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** What prom-client's registry reads of a metric (its `get()`), for text and for a cluster's sum. */
interface Described {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

interface Counted {
  labels: { method: string; route: string; status: number };
  value: number;
}
interface Timed {
  labels: { method: string; route: string };
  /** Observations per bucket (not cumulative); the last one is beyond the largest bound. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Every request counted by method, route and status and timed by method and route: plain numbers
 * on the request path, turned into Prometheus's two metrics (a counter and a histogram, the same
 * names, labels and buckets as prom-client's own) only when scraped. prom-client's labelled
 * children validate and hash their labels on every call: about 1.6 µs a request, on every request.
 */
export class RequestMetrics {
  private readonly counted = new Map<string, Counted>();
  private readonly timed = new Map<string, Timed>();

  constructor(registry: Registry) {
    // prom-client takes any metric that can describe itself (get) for its text and cluster formats.
    registry.registerMetric(this.requestsMetric as never);
    registry.registerMetric(this.durationMetric as never);
  }

  /** The two cells a request of this method, route and status adds to: callers keep them per path. */
  cellsOf(method: string, route: string, status: number): { counted: Counted; timed: Timed } {
    const timedKey = `${method} ${route}`;
    let timed = this.timed.get(timedKey);
    if (!timed) {
      timed = { labels: { method, route }, buckets: new Array(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.timed.set(timedKey, timed);
    }
    const countedKey = `${status} ${timedKey}`;
    let counted = this.counted.get(countedKey);
    if (!counted) {
      counted = { labels: { method, route, status }, value: 0 };
      this.counted.set(countedKey, counted);
    }
    return { counted, timed };
  }

  static add(cells: { counted: Counted; timed: Timed }, seconds: number): void {
    cells.counted.value++;
    const timed = cells.timed;
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    timed.buckets[bucket]!++;
    timed.sum += seconds;
    timed.count++;
  }

  private readonly requestsMetric = {
    name: REQUESTS,
    help: 'HTTP requests by route and status',
    type: 'counter',
    aggregator: 'sum',
    get: async (): Promise<Described> => ({
      name: REQUESTS,
      help: this.requestsMetric.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.counted.values()].map((c) => ({ labels: { ...c.labels }, value: c.value })),
    }),
    reset: () => this.counted.clear(),
  };

  private readonly durationMetric = {
    name: DURATION,
    help: 'HTTP request latency by route',
    type: 'histogram',
    aggregator: 'sum',
    get: async (): Promise<Described> => {
      const values: Described['values'] = [];
      for (const t of this.timed.values()) {
        let cumulative = 0;
        DURATION_BUCKETS.forEach((le, i) => {
          cumulative += t.buckets[i]!;
          values.push({ labels: { le, ...t.labels }, value: cumulative, metricName: `${DURATION}_bucket` });
        });
        values.push({ labels: { le: '+Inf', ...t.labels }, value: t.count, metricName: `${DURATION}_bucket` });
        values.push({ labels: { ...t.labels }, value: t.sum, metricName: `${DURATION}_sum` });
        values.push({ labels: { ...t.labels }, value: t.count, metricName: `${DURATION}_count` });
      }
      return { name: DURATION, help: this.durationMetric.help, type: 'histogram', aggregator: 'sum', values };
    },
    reset: () => this.timed.clear(),
  };
}
