import { startTestApp, type TestApp } from './test-app.js';

/**
 * Two keyscope processes on one database (on PGlite: two apps sharing the embedded database, each
 * with its own caches and listener; on PostgreSQL: two separate connection pools), as the tests of
 * live pickup across processes need them (DESIGN §5). Close `two` before `one`, which owns the database.
 */
export async function startTwoProcesses(env: Record<string, string>): Promise<{ one: TestApp; two: TestApp }> {
  const one = await startTestApp({ env });
  const two = await startTestApp({
    database: one.database,
    db: await one.database.connectAgain(),
    adminToken: one.adminToken,
    env,
  });
  return { one, two };
}

/** Polls `check` every 10 ms until it holds; the milliseconds it took, or throws after `withinMs`. */
export async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not seen within ${withinMs} ms`);
}
