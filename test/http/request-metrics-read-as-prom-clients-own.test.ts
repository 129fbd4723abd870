import fc from 'fast-check';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { DURATION_BUCKETS, RequestMetrics } from '../../src/http/request-metrics.js';

/**
 * keyscope counts requests in plain numbers and describes them to prom-client when scraped. What a
 * scrape reads, from one process or a cluster's sum, must be exactly what prom-client's own Counter
 * and Histogram would have said for the same requests.
 */
function promClients(registry: Registry) {
  const requests = new Counter({
    name: 'keyscope_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'keyscope_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [...DURATION_BUCKETS],
    registers: [registry],
  });
  return (method: string, route: string, status: number, seconds: number) => {
    requests.inc({ method, route, status });
    duration.observe({ method, route }, seconds);
  };
}

function ours(registry: Registry) {
  const metrics = new RequestMetrics(registry);
  return (method: string, route: string, status: number, seconds: number) =>
    RequestMetrics.add(metrics.cellsOf(method, route, status), seconds);
}

const request = fc.tuple(
  fc.constantFrom('GET', 'POST', 'DELETE'),
  fc.constantFrom('/api/v1/authorize', '/api/v1/me', '/scim/v2/Users/:id', 'other'),
  fc.constantFrom(200, 201, 400, 401, 404, 503),
  fc.oneof(fc.constantFrom(0, ...DURATION_BUCKETS, 3), fc.double({ min: 0, max: 5, noNaN: true })),
);

it('one process: the same text as prom-client for any requests', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(request, { maxLength: 60 }), async (requests) => {
      const theirs = new Registry();
      const mine = new Registry();
      const countTheirs = promClients(theirs);
      const countMine = ours(mine);
      for (const r of requests) {
        countTheirs(...r);
        countMine(...r);
      }
      expect(await mine.metrics()).toBe(await theirs.metrics());
    }),
  );
});

it('a cluster: the primary’s sum of the workers reads the same', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(request, { maxLength: 30 }), fc.array(request, { maxLength: 30 }), async (a, b) => {
      const sum = async (make: (r: Registry) => ReturnType<typeof ours>) => {
        const workers = [a, b].map((requests) => {
          const registry = new Registry();
          const count = make(registry);
          for (const r of requests) count(...r);
          return registry;
        });
        const json = await Promise.all(workers.map((w) => w.getMetricsAsJSON()));
        return AggregatorRegistry.aggregate(json).metrics();
      };
      expect(await sum(ours)).toBe(await sum(promClients));
    }),
  );
});
