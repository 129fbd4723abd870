import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrate } from '../../src/db/migrate.js';
import { PgliteDb } from '../../src/db/pglite-db.js';

/**
 * Migrates one template database per run; every test file then starts from a copy of it.
 * PGlite: a dumped data directory (opening a fresh PGlite takes ~3 s, loading a dump under 1 s).
 * PostgreSQL (DATABASE_URL set): a template database that test files clone with CREATE DATABASE.
 */
export async function createTemplate(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const template = `keyscope_test_template_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const { PgDb } = await import('../../src/db/pg-db.js');
    const { createLogger } = await import('../../src/http/logger.js');
    const db = new PgDb(withDatabase(url, template), createLogger('silent'));
    await migrate(db);
    await db.close();
    process.env.KEYSCOPE_TEST_TEMPLATE_DB = template;
    return;
  }
  const db = await PgliteDb.open();
  await migrate(db);
  const dump = await db.dump();
  await db.close();
  const file = path.join(tmpdir(), `keyscope-test-template-${process.pid}.tar.gz`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  process.env.KEYSCOPE_TEST_TEMPLATE_FILE = file;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
