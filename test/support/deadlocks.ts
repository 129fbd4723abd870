import pg from 'pg';
import type { TestApp } from './test-app.js';

/**
 * Closes the apps (sharing one database) and returns how many deadlocks PostgreSQL detected in that
 * database meanwhile, then drops it. The Db layer retries a transaction chosen as a deadlock victim,
 * so requests succeed either way; this is how a test sees that writes took their locks in one order.
 * A backend reports its statistics when it exits, so the count is read once the pools are closed.
 * On PGlite (one transaction at a time) it is 0.
 */
export async function closeCountingDeadlocks(owner: TestApp, ...others: TestApp[]): Promise<number> {
  const url = owner.database.url;
  for (const app of others) await app.close();
  if (!url) {
    await owner.close();
    return 0;
  }
  await owner.keyscope.stop();
  await Promise.all([owner.db, ...others.map((a) => a.db)].map((db) => db.close()));
  let deadlocks = 0;
  // Exiting backends report their counts just after their sockets close: read a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    await new Promise((r) => setTimeout(r, 200));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ deadlocks: string }>(
        'SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()',
      );
      deadlocks = Math.max(deadlocks, Number(rows[0]?.deadlocks ?? 0));
    } finally {
      await client.end();
    }
  }
  await owner.database.drop();
  return deadlocks;
}
