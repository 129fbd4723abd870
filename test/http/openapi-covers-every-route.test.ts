import type { Express } from 'express';
import { startTestApp, type TestApp } from '../support/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

interface Layer {
  rawPath?: string | string[];
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) the Express app really serves under a prefix, read from its router. */
function routesOf(stack: Layer[], prefix = ''): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    const path = typeof layer.rawPath === 'string' ? layer.rawPath : '';
    if (layer.route) {
      for (const method of Object.keys(layer.route.methods))
        out.push(`${method.toUpperCase()} ${join(prefix, layer.route.path)}`);
    } else if (layer.handle?.stack) {
      out.push(...routesOf(layer.handle.stack, join(prefix, path === '/' ? '' : path)));
    }
  }
  return out;
}

function join(a: string, b: string): string {
  return `${a}${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1') || '/';
}

describe('GET /api/v1/openapi.json', () => {
  it('is served without a key, as OpenAPI 3.1', async () => {
    const res = await app.http.get('/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
  });

  it('describes every route of the admin and access API, and nothing that does not exist', async () => {
    const doc = (await app.http.get('/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    // A path may say it lives outside /api/v1 (its own servers: the Shared Signals receiver at /ssf).
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => {
      const base = ((item.servers as { url: string }[] | undefined)?.[0]?.url ?? '/api/v1').replace(/\/$/, '');
      return Object.keys(item)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => `${m.toUpperCase()} ${base}${path.replace(/\{(\w+)\}/g, ':$1')}`);
    });
    const express = app.keyscope.app as Express & { router: { stack: Layer[] } };
    const served = routesOf(express.router.stack).filter((r) => r.includes(' /api/v1/') || r.includes(' /ssf/'));
    expect(served.length).toBeGreaterThan(20);
    expect(new Set(served)).toEqual(new Set(documented));
  });
});
