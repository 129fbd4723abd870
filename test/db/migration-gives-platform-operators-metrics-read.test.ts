import type { Db } from '../../src/db/db.js';
import { loadMigrations, migrate } from '../../src/db/migrate.js';
import { PgliteDb } from '../../src/db/pglite-db.js';

/**
 * metrics:read is a platform permission: no wildcard grants it and only a holder hands it out. A
 * deployment bootstrapped before it existed has no holder, so migration 003 gives it to every group
 * that holds orgs:create (the bootstrap Admins group, and any group its operators made), as a new
 * bootstrap does. On the embedded database from scratch, whichever database the suite runs on: the
 * test needs a database that has seen only the migrations before this one.
 */
const MIGRATION = '003_metrics_read_for_platform_operators';

let db: Db;
beforeAll(async () => {
  db = await PgliteDb.open();
}, 60_000);
afterAll(() => db.close());

interface RuleRow {
  group: string;
  position: number;
  permission: string | null;
  role: string | null;
}

async function rules(): Promise<RuleRow[]> {
  const { rows } = await db.query<RuleRow>(
    `SELECT g.display_name AS "group", r.position, r.permission, r.role
       FROM group_rules r JOIN groups g ON g.id = r.group_id ORDER BY g.display_name, r.position`,
  );
  return rows;
}

it('gives metrics:read to each group holding orgs:create, once, and to no other group', async () => {
  // The schema as the previous release left it: every migration before this one.
  const migrations = loadMigrations();
  const mine = migrations.findIndex((m) => m.version === MIGRATION);
  expect(mine).toBeGreaterThan(0);
  await migrate(db, migrations.slice(0, mine));
  // A deployment as the previous release left it, written in SQL (today's code expects today's
  // schema): bootstrapped (Admins: role admin and orgs:create), a group its operators gave
  // orgs:create, one that already holds both, and an ordinary one.
  await db.exec(`
    INSERT INTO organizations (id, name, settings) VALUES (gen_random_uuid(), 'default', '{}');
    INSERT INTO groups (id, org_id, display_name, source, version, created_at, updated_at)
      SELECT gen_random_uuid(), org_id, name, 'local', 1, now(), now()
        FROM (SELECT id AS org_id FROM organizations LIMIT 1) o,
             (VALUES ('Admins'), ('Platform'), ('Both'), ('Developers')) AS n(name);
    INSERT INTO group_rules (org_id, group_id, position, permission, role)
      SELECT org_id, id, 0, NULL, 'admin' FROM groups WHERE display_name = 'Admins';
    INSERT INTO group_rules (org_id, group_id, position, permission, role)
      SELECT org_id, id, 1, 'orgs:create', NULL FROM groups WHERE display_name = 'Admins';
    INSERT INTO group_rules (org_id, group_id, position, permission, role)
      SELECT org_id, id, 0, 'orgs:create', NULL FROM groups WHERE display_name IN ('Platform', 'Both');
    INSERT INTO group_rules (org_id, group_id, position, permission, role)
      SELECT org_id, id, 1, 'metrics:read', NULL FROM groups WHERE display_name = 'Both';
    INSERT INTO group_rules (org_id, group_id, position, permission, role)
      SELECT org_id, id, 0, NULL, 'developer' FROM groups WHERE display_name = 'Developers';
  `);
  expect((await rules()).filter((r) => r.permission === 'metrics:read')).toEqual([
    { group: 'Both', position: 1, permission: 'metrics:read', role: null },
  ]);

  expect(await migrate(db, migrations.slice(0, mine + 1))).toEqual([MIGRATION]);
  expect(await rules()).toEqual([
    { group: 'Admins', position: 0, permission: null, role: 'admin' },
    { group: 'Admins', position: 1, permission: 'orgs:create', role: null },
    { group: 'Admins', position: 2, permission: 'metrics:read', role: null },
    { group: 'Both', position: 0, permission: 'orgs:create', role: null },
    { group: 'Both', position: 1, permission: 'metrics:read', role: null },
    { group: 'Developers', position: 0, permission: null, role: 'developer' },
    { group: 'Platform', position: 0, permission: 'orgs:create', role: null },
    { group: 'Platform', position: 1, permission: 'metrics:read', role: null },
  ]);
}, 60_000);
