import type { Queryable } from '../db/db.js';
import type { ExtensionSchemaDocument } from '../schema/extension-schema.js';

/** The extension schemas an organization registered (table scim_schemas), and what they left behind. */
export interface ScimSchemaRow {
  urn: string;
  document: ExtensionSchemaDocument;
  created_at: Date;
  created_by: string | null;
}

export async function listScimSchemas(q: Queryable, orgId: string): Promise<ScimSchemaRow[]> {
  const { rows } = await q.query<ScimSchemaRow>(
    'SELECT urn, document, created_at, created_by FROM scim_schemas WHERE org_id = $1 ORDER BY lower(urn)',
    [orgId],
  );
  return rows;
}

/** Inserts the schema; false when the organization already has one with this URN (any case). */
export async function insertScimSchema(
  q: Queryable,
  orgId: string,
  document: ExtensionSchemaDocument,
  createdBy: string,
  at: Date,
): Promise<ScimSchemaRow | undefined> {
  const { rows } = await q.query<ScimSchemaRow>(
    `INSERT INTO scim_schemas (org_id, urn, document, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (org_id, lower(urn)) DO NOTHING RETURNING urn, document, created_at, created_by`,
    [orgId, document.id, JSON.stringify(document), at, createdBy],
  );
  return rows[0];
}

export async function deleteScimSchema(q: Queryable, orgId: string, urn: string): Promise<ScimSchemaRow | undefined> {
  const { rows } = await q.query<ScimSchemaRow>(
    `DELETE FROM scim_schemas WHERE org_id = $1 AND lower(urn) = lower($2)
     RETURNING urn, document, created_at, created_by`,
    [orgId, urn],
  );
  return rows[0];
}

/**
 * Removes the extension's values from every user of the organization that holds some (each such
 * user's version moves on: its representation changed). Returns the ids of those users.
 */
export async function removeExtensionValues(q: Queryable, orgId: string, urn: string, at: Date): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE users SET attributes = attributes - $2, version = version + 1, updated_at = $3
      WHERE org_id = $1 AND attributes ? $2 RETURNING id`,
    [orgId, urn, at],
  );
  return rows.map((r) => r.id);
}

/** How many attribute names of unregistered extensions the organization has recorded. */
export async function countUnregistered(q: Queryable, orgId: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM scim_unregistered_attributes WHERE org_id = $1',
    [orgId],
  );
  return rows[0]!.n;
}

/** Records the names not recorded yet; returns those (the ones to report). */
export async function recordUnregistered(q: Queryable, orgId: string, names: string[], at: Date): Promise<string[]> {
  const { rows } = await q.query<{ attribute: string }>(
    `INSERT INTO scim_unregistered_attributes (org_id, attribute, first_seen_at)
     SELECT $1, n, $3 FROM unnest($2::text[]) AS n
     ON CONFLICT (org_id, attribute) DO NOTHING RETURNING attribute`,
    [orgId, names, at],
  );
  return rows.map((r) => r.attribute);
}
