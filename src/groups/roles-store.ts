import type { Queryable } from '../db/db.js';

/** An organization's role as stored. */
export interface RoleRow {
  name: string;
  description: string;
  permissions: string[];
  created_at: Date;
  created_by: string | null;
  updated_at: Date;
}

const COLUMNS = 'name, description, permissions, created_at, created_by, updated_at';

/** The organization's own roles, by name. */
export async function listOrgRoles(q: Queryable, orgId: string): Promise<RoleRow[]> {
  const { rows } = await q.query<RoleRow>(`SELECT ${COLUMNS} FROM org_roles WHERE org_id = $1 ORDER BY name`, [orgId]);
  return rows;
}

/**
 * The organization's roles of these names. `lock`: FOR SHARE while a rule naming them is written,
 * FOR UPDATE while one is changed or deleted, so a rule never lands on a role being deleted.
 */
export async function orgRolesNamed(
  q: Queryable,
  orgId: string,
  names: readonly string[],
  lock?: 'share' | 'update',
): Promise<RoleRow[]> {
  if (!names.length) return [];
  const { rows } = await q.query<RoleRow>(
    `SELECT ${COLUMNS} FROM org_roles WHERE org_id = $1 AND name = ANY($2::text[]) ORDER BY name${
      lock === 'share' ? ' FOR SHARE' : lock === 'update' ? ' FOR UPDATE' : ''
    }`,
    [orgId, [...names]],
  );
  return rows;
}

export async function insertOrgRole(
  q: Queryable,
  orgId: string,
  role: { name: string; description: string; permissions: string[] },
  createdBy: string,
  at: Date,
): Promise<RoleRow | undefined> {
  const { rows } = await q.query<RoleRow>(
    `INSERT INTO org_roles (org_id, name, description, permissions, created_at, created_by, updated_at)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $5) ON CONFLICT (org_id, name) DO NOTHING RETURNING ${COLUMNS}`,
    [orgId, role.name, role.description, role.permissions, at, createdBy],
  );
  return rows[0];
}

export async function updateOrgRole(
  q: Queryable,
  orgId: string,
  name: string,
  role: { description: string; permissions: string[] },
  at: Date,
): Promise<RoleRow | undefined> {
  const { rows } = await q.query<RoleRow>(
    `UPDATE org_roles SET description = $3, permissions = $4::text[], updated_at = $5
      WHERE org_id = $1 AND name = $2 RETURNING ${COLUMNS}`,
    [orgId, name, role.description, role.permissions, at],
  );
  return rows[0];
}

export async function deleteOrgRole(q: Queryable, orgId: string, name: string): Promise<void> {
  await q.query('DELETE FROM org_roles WHERE org_id = $1 AND name = $2', [orgId, name]);
}

/** The groups whose rules name this role, by name (a role in use is not deleted). */
export async function groupsUsingRole(
  q: Queryable,
  orgId: string,
  name: string,
): Promise<{ id: string; display_name: string }[]> {
  const { rows } = await q.query<{ id: string; display_name: string }>(
    `SELECT DISTINCT g.id, g.display_name FROM group_rules r JOIN groups g ON g.id = r.group_id AND g.org_id = r.org_id
      WHERE r.org_id = $1 AND r.role = $2 ORDER BY g.display_name, g.id`,
    [orgId, name],
  );
  return rows;
}
