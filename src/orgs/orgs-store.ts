import type { Queryable } from '../db/db.js';
import { OrgPolicy, type Organization } from './orgs.js';

interface OrgRow {
  id: string;
  name: string;
  settings: unknown;
  created_at: Date;
}

function toOrganization(row: OrgRow): Organization {
  const parsed = OrgPolicy.safeParse(row.settings ?? {});
  return {
    id: row.id,
    name: row.name,
    policy: parsed.success ? parsed.data : OrgPolicy.parse({}),
    createdAt: row.created_at,
  };
}

export async function insertOrganization(
  q: Queryable,
  org: { id: string; name: string; policy: OrgPolicy },
): Promise<Organization> {
  const { rows } = await q.query<OrgRow>(
    'INSERT INTO organizations (id, name, settings) VALUES ($1, $2, $3) RETURNING id, name, settings, created_at',
    [org.id, org.name, JSON.stringify(org.policy)],
  );
  return toOrganization(rows[0]!);
}

export async function findOrganization(q: Queryable, orgId: string): Promise<Organization | undefined> {
  const { rows } = await q.query<OrgRow>('SELECT id, name, settings, created_at FROM organizations WHERE id = $1', [
    orgId,
  ]);
  return rows[0] && toOrganization(rows[0]);
}

/**
 * Locks the organization row for the rest of the transaction (serializes key-limit checks). FOR NO
 * KEY UPDATE, not FOR UPDATE: every insert referencing the organization takes FOR KEY SHARE on it,
 * and key creation must not wait behind every SCIM write in flight.
 */
export async function lockOrganization(q: Queryable, orgId: string): Promise<Organization | undefined> {
  const { rows } = await q.query<OrgRow>(
    'SELECT id, name, settings, created_at FROM organizations WHERE id = $1 FOR NO KEY UPDATE',
    [orgId],
  );
  return rows[0] && toOrganization(rows[0]);
}

export async function updateOrganizationPolicy(
  q: Queryable,
  orgId: string,
  policy: OrgPolicy,
): Promise<Organization | undefined> {
  const { rows } = await q.query<OrgRow>(
    'UPDATE organizations SET settings = $2 WHERE id = $1 RETURNING id, name, settings, created_at',
    [orgId, JSON.stringify(policy)],
  );
  return rows[0] && toOrganization(rows[0]);
}

/** Advisory lock id: keeps two processes starting at once from bootstrapping twice. */
const BOOTSTRAP_LOCK = 7_261_002;

/** Holds the bootstrap lock until the transaction ends. */
export async function lockBootstrap(q: Queryable): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
}

/** The organization created first (the bootstrap's `default`), or undefined on an empty database. */
export async function firstOrganization(q: Queryable): Promise<Organization | undefined> {
  const { rows } = await q.query<OrgRow>(
    'SELECT id, name, settings, created_at FROM organizations ORDER BY created_at LIMIT 1',
  );
  return rows[0] && toOrganization(rows[0]);
}

export async function organizationName(q: Queryable, orgId: string): Promise<string | undefined> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [orgId]);
  return rows[0]?.name;
}

/** An organization by id, else by name (sign-in links name it either way). */
export async function findOrganizationByIdOrName(q: Queryable, idOrName: string): Promise<Organization | undefined> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  const { rows } = await q.query<OrgRow>(
    uuid
      ? 'SELECT id, name, settings, created_at FROM organizations WHERE id = $1'
      : 'SELECT id, name, settings, created_at FROM organizations WHERE lower(name) = lower($1)',
    [idOrName],
  );
  return rows[0] && toOrganization(rows[0]);
}

/** The name and the idpRoles policy in one read: what resolving a principal needs of its organization. */
export async function organizationForPrincipal(
  q: Queryable,
  orgId: string,
): Promise<{ name: string; idpRoles: boolean } | undefined> {
  const { rows } = await q.query<{ name: string; idp_roles: boolean | null }>(
    `SELECT name, CASE WHEN jsonb_typeof(settings->'idpRoles') = 'boolean' THEN (settings->>'idpRoles')::boolean END AS idp_roles
       FROM organizations WHERE id = $1`,
    [orgId],
  );
  const row = rows[0];
  return row && { name: row.name, idpRoles: row.idp_roles === true };
}
