import { rmSync } from 'node:fs';
import pg from 'pg';

export async function dropTemplate(): Promise<void> {
  const file = process.env.KEYSCOPE_TEST_TEMPLATE_FILE;
  if (file) rmSync(file, { force: true });
  const template = process.env.KEYSCOPE_TEST_TEMPLATE_DB;
  if (template && process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.end();
  }
}
