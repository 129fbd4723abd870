import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Db } from '../../src/db/db.js';
import { PgDb } from '../../src/db/pg-db.js';
import { PgliteDb } from '../../src/db/pglite-db.js';
import { createLogger } from '../../src/http/logger.js';
import { withDatabase } from './template-db.js';

export interface TestDatabase {
  db: Db;
  /** A second, independent connection to the same database (a second keyscope process). */
  connectAgain(): Promise<Db>;
  /** The database URL when on PostgreSQL, for tests that start server processes. */
  url?: string;
  drop(): Promise<void>;
}

export const onPostgres = () => Boolean(process.env.DATABASE_URL);

/** A fresh, migrated database for one test file: a copy of the template made in global-setup. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = process.env.KEYSCOPE_TEST_TEMPLATE_DB!;
    const name = `keyscope_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const dbUrl = withDatabase(url, name);
    const opened: Db[] = [];
    const connect = async () => {
      const db = new PgDb(dbUrl, createLogger('silent'));
      opened.push(db);
      return db;
    };
    const db = await connect();
    return {
      db,
      url: dbUrl,
      connectAgain: connect,
      drop: async () => {
        await Promise.all(opened.map((d) => d.close()));
        const a = new pg.Client({ connectionString: url });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  const file = process.env.KEYSCOPE_TEST_TEMPLATE_FILE!;
  const db = await PgliteDb.open({ loadDataDir: new Blob([readFileSync(file)]) });
  return {
    db,
    // PGlite lives in this process: a second "process" shares the same database object.
    connectAgain: async () => db,
    drop: () => db.close(),
  };
}
