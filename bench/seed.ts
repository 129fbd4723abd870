import type { Db } from '../src/db/db.js';

/**
 * Bulk data for the benchmark, written with SQL straight into the tables (creating 100k users
 * through SCIM would take longer than the benchmark itself). Users are shaped as Okta creates them.
 */
export async function seed(
  db: Db,
  orgId: string,
  users: number,
  extra: number,
  filtered: number,
): Promise<{ groupId: string; firstUserId: string; filteredGroupId: string }> {
  await db.exec(`
    INSERT INTO users (org_id, id, user_name, external_id, active, display_name, attributes, created_at, updated_at)
    SELECT '${orgId}', gen_random_uuid(), 'user' || i || '@example.com', 'ext-' || i, true, 'User ' || i,
           jsonb_build_object(
             'name', jsonb_build_object('givenName', 'Given' || i, 'familyName', 'Family' || i),
             'emails', jsonb_build_array(jsonb_build_object('value', 'user' || i || '@example.com', 'type', 'work', 'primary', true))),
           date_trunc('milliseconds', now()) + i * interval '1 millisecond', now()
      FROM generate_series(1, ${users + extra}) AS i;`);
  const { rows } = await db.query<{ id: string }>(`SELECT gen_random_uuid()::text AS id`);
  const groupId = rows[0]!.id;
  await db.exec(`
    INSERT INTO groups (org_id, id, display_name, source, member_count) VALUES ('${orgId}', '${groupId}', 'Everyone', 'scim', ${users});
    INSERT INTO group_members (org_id, group_id, member_id, member_type)
      SELECT '${orgId}', '${groupId}', id, 'User' FROM users WHERE org_id = '${orgId}' AND user_name ~ '^user[0-9]+@' 
        AND substring(user_name from '^user([0-9]+)@')::int <= ${users};
    ANALYZE;`);
  // A second group, of the first `filtered` users, each with the display Okta sends: the target of
  // PATCHes whose member filters (members[display co "…"]) read every member.
  const filteredGroupId = (await db.query<{ id: string }>(`SELECT gen_random_uuid()::text AS id`)).rows[0]!.id;
  await db.exec(`
    INSERT INTO groups (org_id, id, display_name, source, member_count) VALUES ('${orgId}', '${filteredGroupId}', 'Filtered', 'scim', ${filtered});
    INSERT INTO group_members (org_id, group_id, member_id, member_type, display)
      SELECT '${orgId}', '${filteredGroupId}', id, 'User', display_name FROM users WHERE org_id = '${orgId}' AND user_name ~ '^user[0-9]+@'
        AND substring(user_name from '^user([0-9]+)@')::int <= ${filtered};
    ANALYZE group_members;`);
  const first = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE org_id = $1 AND user_name = 'user12345@example.com'`,
    [orgId],
  );
  return { groupId, firstUserId: first.rows[0]!.id, filteredGroupId };
}
