import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from './db.js';
import { PgDb } from './pg-db.js';
import { PgliteDb } from './pglite-db.js';

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded PGlite database in DATA_DIR. */
export async function openDb(options: {
  databaseUrl?: string;
  dataDir: string;
  logger: Logger;
  poolSize?: number;
}): Promise<Db> {
  if (options.databaseUrl) return new PgDb(options.databaseUrl, options.logger, options.poolSize);
  const dir = path.resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  return PgliteDb.open({ dataDir: dir });
}
