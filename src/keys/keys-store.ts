import type { Queryable } from '../db/db.js';
import { containsPattern } from '../db/like.js';
import {
  EXPIRING_SOON_MS,
  statusOf,
  type KeyKind,
  type KeyStatus,
  type SignalSuspensionReason,
} from '../principals/key-status.js';
import type { KeyRow, KeyRowWithHash } from './keys.js';

/**
 * Every key read goes through this select, so the admin API, the CLI and authentication agree on a
 * key's suspension; its status follows from the clock (statusOf). A personal key narrowed to a group
 * is suspended while its owner is not in that group, directly or through nested groups. An owner whose
 * `active` is unassigned (NULL) is not active: the key fails closed. A suspension an identity
 * provider's signal stored (idp_signal, idp_logout) is the one suspension kept in the row; it is
 * named first, and lifting it leaves the computed ones as they are.
 */
const KEY_SELECT = `
  SELECT k.org_id, k.id, k.name, k.description, k.kind, k.group_id, g.display_name AS group_name,
         k.owner_user_id, u.user_name AS owner_name, k.scim, k.impersonation, k.permissions, k.fragment, k.bootstrap,
         k.expires_at, k.revoked_at, k.revoked_by, k.rotated_from, k.created_by, k.created_by_name,
         k.created_at, k.last_used_at, s.suspension
         %HASH%
    FROM api_keys k
    LEFT JOIN groups g ON g.id = k.group_id AND g.org_id = k.org_id
    LEFT JOIN users u ON u.id = k.owner_user_id AND u.org_id = k.org_id
    CROSS JOIN LATERAL (SELECT CASE
      WHEN k.signal_suspended_at IS NOT NULL THEN k.signal_suspension_reason
      WHEN k.kind = 'personal' AND (u.id IS NULL OR u.active IS NOT TRUE) THEN 'owner_inactive'
      WHEN k.group_id IS NOT NULL AND g.id IS NULL THEN 'group_deleted'
      WHEN k.kind = 'personal' AND k.group_id IS NOT NULL AND NOT EXISTS (
        WITH RECURSIVE memberships(group_id) AS (
          SELECT gm.group_id FROM group_members gm WHERE gm.member_id = k.owner_user_id AND gm.org_id = k.org_id
          UNION
          SELECT gm.group_id FROM group_members gm JOIN memberships m ON gm.member_id = m.group_id
           WHERE gm.member_type = 'Group' AND gm.org_id = k.org_id
        ) SELECT 1 FROM memberships WHERE memberships.group_id = k.group_id
      ) THEN 'owner_left_group'
    END AS suspension) s`;

const SELECT_KEYS = KEY_SELECT.replace('%HASH%', '');
const SELECT_KEYS_WITH_HASH = KEY_SELECT.replace('%HASH%', ', k.secret_hash');

/**
 * statusOf (principals/key-status.ts) in SQL, over a row `x` of KEY_SELECT at the time `now` names:
 * only to filter lists by status. test/invariants/key-status-is-one-rule.test.ts keeps the two equal.
 */
const statusOfRow = (now: string) => `CASE
    WHEN x.revoked_at <= ${now} THEN 'revoked'
    WHEN x.expires_at <= ${now} THEN 'expired'
    WHEN x.suspension IS NOT NULL THEN 'suspended'
    WHEN LEAST(x.expires_at, x.revoked_at) <= ${now}::timestamptz + ${EXPIRING_SOON_MS} * interval '1 millisecond' THEN 'expiring_soon'
    ELSE 'active'
  END`;

type StoredKey<T extends KeyRow> = Omit<T, 'status'>;

/** The row with its status at `now`: the one rule, statusOf. */
function withStatus<T extends KeyRow>(row: StoredKey<T>, now: Date): T {
  const { status } = statusOf({ expiresAt: row.expires_at, revokedAt: row.revoked_at }, row.suspension, now);
  return { ...row, status } as T;
}

export interface NewKeyRow {
  orgId: string;
  id: string;
  name: string;
  description: string;
  kind: KeyKind;
  groupId: string | null;
  ownerUserId: string | null;
  scim: boolean;
  /** Default false. */
  impersonation?: boolean;
  permissions: string[] | null;
  secretHash: string;
  fragment: string;
  bootstrap: boolean;
  expiresAt: Date | null;
  rotatedFrom: string | null;
  createdBy: { id: string; name: string };
  createdAt: Date;
}

export async function insertKey(q: Queryable, key: NewKeyRow): Promise<void> {
  await q.query(
    `INSERT INTO api_keys (org_id, id, name, description, kind, group_id, owner_user_id, scim, permissions,
       secret_hash, fragment, bootstrap, expires_at, rotated_from, created_by, created_by_name, created_at,
       impersonation)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    [
      key.orgId,
      key.id,
      key.name,
      key.description,
      key.kind,
      key.groupId,
      key.ownerUserId,
      key.scim,
      key.permissions,
      key.secretHash,
      key.fragment,
      key.bootstrap,
      key.expiresAt,
      key.rotatedFrom,
      key.createdBy.id,
      key.createdBy.name,
      key.createdAt,
      key.impersonation ?? false,
    ],
  );
}

export async function findKey(q: Queryable, orgId: string, id: string, now: Date): Promise<KeyRow | undefined> {
  const { rows } = await q.query<StoredKey<KeyRow>>(`${SELECT_KEYS} WHERE k.org_id = $1 AND k.id = $2`, [orgId, id]);
  return rows[0] && withStatus(rows[0], now);
}

/**
 * Authentication knows only the key id from the token, not the organization: this and
 * findBootstrapKeysForAuth are the only reads not filtered by org_id, and the organization
 * of everything that follows comes from the row they return.
 */
export async function findKeyForAuth(q: Queryable, id: string, now: Date): Promise<KeyRowWithHash | undefined> {
  const { rows } = await q.query<StoredKey<KeyRowWithHash>>(`${SELECT_KEYS_WITH_HASH} WHERE k.id = $1`, [id]);
  return rows[0] && withStatus(rows[0], now);
}

export async function findBootstrapKeysForAuth(q: Queryable, now: Date): Promise<KeyRowWithHash[]> {
  const { rows } = await q.query<StoredKey<KeyRowWithHash>>(
    `${SELECT_KEYS_WITH_HASH} WHERE k.bootstrap AND k.revoked_at IS NULL ORDER BY k.created_at`,
  );
  return rows.map((row) => withStatus(row, now));
}

export interface KeyListQuery {
  status?: KeyStatus;
  text?: string;
  groupId?: string;
  ownerUserId?: string;
  /** The key itself, keys it created, or keys owned by userId ("my keys"). */
  mine?: { keyId: string; actorId: string; userId: string | null };
  after?: { createdAt: Date; id: string };
  limit: number;
}

export async function listKeys(q: Queryable, orgId: string, query: KeyListQuery, now: Date): Promise<KeyRow[]> {
  const params: unknown[] = [orgId];
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.status) {
    params.push(now, query.status);
    where.push(`${statusOfRow(`$${params.length - 1}`)} = $${params.length}`);
  }
  if (query.text)
    add((p) => `(x.name ILIKE ${p} OR x.description ILIKE ${p} OR x.fragment ILIKE ${p})`, containsPattern(query.text));
  if (query.groupId) add((p) => `x.group_id = ${p}`, query.groupId);
  if (query.ownerUserId) add((p) => `x.owner_user_id = ${p}`, query.ownerUserId);
  if (query.mine) {
    params.push(query.mine.keyId, query.mine.actorId, query.mine.userId);
    where.push(
      `(x.id = $${params.length - 2} OR x.created_by = $${params.length - 1} OR x.owner_user_id = $${params.length})`,
    );
  }
  if (query.after) {
    params.push(query.after.createdAt, query.after.id);
    where.push(`(x.created_at, x.id) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(query.limit);
  const { rows } = await q.query<StoredKey<KeyRow>>(
    `SELECT * FROM (${SELECT_KEYS} WHERE k.org_id = $1) x
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY x.created_at DESC, x.id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => withStatus(row, now));
}

/** Keys that count against the organization's limit: neither revoked nor expired. */
export async function countLiveKeys(q: Queryable, orgId: string, now: Date): Promise<number> {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM api_keys
      WHERE org_id = $1 AND (revoked_at IS NULL OR revoked_at > $2) AND (expires_at IS NULL OR expires_at > $2)`,
    [orgId, now],
  );
  return rows[0]!.n;
}

export async function updateKeyFields(
  q: Queryable,
  orgId: string,
  id: string,
  fields: { name?: string; description?: string; groupId?: string },
): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [orgId, id];
  for (const [column, value] of [
    ['name', fields.name],
    ['description', fields.description],
    ['group_id', fields.groupId],
  ] as const) {
    if (value === undefined) continue;
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  }
  const { rowCount } = sets.length
    ? await q.query(`UPDATE api_keys SET ${sets.join(', ')} WHERE org_id = $1 AND id = $2`, params)
    : await q.query('SELECT 1 FROM api_keys WHERE org_id = $1 AND id = $2', params);
  return rowCount > 0;
}

/** Sets the revocation time (now, or the end of a rotation's grace period) unless the key is already revoked earlier. */
export async function revokeKeys(q: Queryable, orgId: string, ids: string[], at: Date, by: string): Promise<string[]> {
  if (!ids.length) return [];
  const { rows } = await q.query<{ id: string }>(
    `UPDATE api_keys SET revoked_at = $3, revoked_by = $4
      WHERE org_id = $1 AND id = ANY($2::text[]) AND (revoked_at IS NULL OR revoked_at > $3)
      RETURNING id`,
    [orgId, ids, at, by],
  );
  return rows.map((r) => r.id);
}

export async function liveKeyIdsWhere(
  q: Queryable,
  orgId: string,
  filter: { groupId?: string; ownerUserId?: string },
  now: Date,
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM api_keys
      WHERE org_id = $1 AND (revoked_at IS NULL OR revoked_at > $2)
        AND ($3::uuid IS NULL OR group_id = $3) AND ($4::uuid IS NULL OR owner_user_id = $4)`,
    [orgId, now, filter.groupId ?? null, filter.ownerUserId ?? null],
  );
  return rows.map((r) => r.id);
}

export async function keyIdsOfGroup(
  q: Queryable,
  orgId: string,
  groupId: string,
): Promise<{ id: string; name: string }[]> {
  const { rows } = await q.query<{ id: string; name: string }>(
    'SELECT id, name FROM api_keys WHERE org_id = $1 AND group_id = $2 AND revoked_at IS NULL ORDER BY created_at',
    [orgId, groupId],
  );
  return rows;
}

export async function touchLastUsed(q: Queryable, orgId: string, id: string, at: Date): Promise<void> {
  await q.query(
    'UPDATE api_keys SET last_used_at = $3 WHERE org_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $3)',
    [orgId, id, at],
  );
}

/** The key issued by rotating `keyId`, if it was rotated (the new key names it in rotated_from). */
export async function findReplacement(
  q: Queryable,
  orgId: string,
  keyId: string,
): Promise<{ id: string; name: string } | undefined> {
  const { rows } = await q.query<{ id: string; name: string }>(
    'SELECT id, name FROM api_keys WHERE org_id = $1 AND rotated_from = $2 ORDER BY created_at LIMIT 1',
    [orgId, keyId],
  );
  return rows[0];
}

/** A key whose expiry is to be announced (key.expiring, key.expired). */
export interface ExpiryNoticeRow {
  org_id: string;
  id: string;
  name: string;
  kind: string;
  group_id: string | null;
  owner_user_id: string | null;
  expires_at: Date;
}

/**
 * Claims up to `limit` keys to announce, marking them in the caller's transaction so each notice is
 * sent once whichever process scans first (SKIP LOCKED: a scan never waits for another). `expiring`:
 * live keys that expire within `windowMs` and lived longer than that window (a 7-day key was expiring
 * from its creation, which key.created already told); `expired`: keys past their expiry. Keys revoked
 * (or to be revoked) before they expire are never announced.
 */
export async function claimExpiryNotices(
  q: Queryable,
  which: 'expiring' | 'expired',
  now: Date,
  windowMs: number,
  limit: number,
): Promise<ExpiryNoticeRow[]> {
  const column = which === 'expiring' ? 'expiring_notified_at' : 'expired_notified_at';
  const due =
    which === 'expiring'
      ? `expires_at > $1 AND expires_at <= $1 + make_interval(secs => $3::double precision / 1000)
         AND expires_at - created_at > make_interval(secs => $3::double precision / 1000)`
      : 'expires_at <= $1';
  const { rows } = await q.query<ExpiryNoticeRow>(
    `WITH due AS (
       SELECT id FROM api_keys
        WHERE ${column} IS NULL AND expires_at IS NOT NULL AND ${due}
          AND (revoked_at IS NULL OR revoked_at >= expires_at)
        ORDER BY expires_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
     UPDATE api_keys k SET ${column} = $1 FROM due WHERE k.id = due.id
     RETURNING k.org_id, k.id, k.name, k.kind, k.group_id, k.owner_user_id, k.expires_at`,
    which === 'expiring' ? [now, limit, windowMs] : [now, limit],
  );
  return rows;
}

/**
 * Suspends a person's live personal keys for a signal (issue 14): those neither revoked nor expired
 * nor already suspended by a signal. Returns the ids it suspended.
 */
export async function suspendPersonalKeysForSignal(
  q: Queryable,
  orgId: string,
  userId: string,
  reason: SignalSuspensionReason,
  at: Date,
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE api_keys SET signal_suspended_at = $4, signal_suspension_reason = $3
      WHERE org_id = $1 AND owner_user_id = $2 AND kind = 'personal' AND signal_suspended_at IS NULL
        AND (revoked_at IS NULL OR revoked_at > $4) AND (expires_at IS NULL OR expires_at > $4)
      RETURNING id`,
    [orgId, userId, reason, at],
  );
  return rows.map((r) => r.id).sort();
}

/**
 * Lifts the signal suspension of one key, or of every key of one person; nothing else about them
 * changes (a revoked key stays revoked, a computed suspension stays). Returns the keys lifted, with owners.
 */
export async function liftSignalSuspensions(
  q: Queryable,
  orgId: string,
  which: { keyId: string } | { ownerUserId: string },
): Promise<{ id: string; owner_user_id: string | null }[]> {
  const byKey = 'keyId' in which;
  const { rows } = await q.query<{ id: string; owner_user_id: string | null }>(
    `UPDATE api_keys SET signal_suspended_at = NULL, signal_suspension_reason = NULL
      WHERE org_id = $1 AND ${byKey ? 'id = $2' : 'owner_user_id = $2'} AND signal_suspended_at IS NOT NULL
      RETURNING id, owner_user_id`,
    [orgId, byKey ? which.keyId : which.ownerUserId],
  );
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}
