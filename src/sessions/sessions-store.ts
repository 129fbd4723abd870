import type { Queryable } from '../db/db.js';
import type { SessionRow, SignInAttemptRow, SsoSettingsRow } from './sessions.js';

const SSO_COLUMNS = 'org_id, issuer, client_id, client_secret, claim, attribute, updated_at';
const SESSION_COLUMNS = 'id, org_id, user_id, created_at, last_seen_at, expires_at, ended_at, end_reason';

export async function findSsoSettings(q: Queryable, orgId: string): Promise<SsoSettingsRow | undefined> {
  const { rows } = await q.query<SsoSettingsRow>(`SELECT ${SSO_COLUMNS} FROM sso_settings WHERE org_id = $1`, [orgId]);
  return rows[0];
}

export async function upsertSsoSettings(
  q: Queryable,
  s: Omit<SsoSettingsRow, 'updated_at' | 'client_secret'> & { client_secret: string | null },
  at: Date,
): Promise<SsoSettingsRow> {
  const { rows } = await q.query<SsoSettingsRow>(
    `INSERT INTO sso_settings (org_id, issuer, client_id, client_secret, claim, attribute, updated_at)
     VALUES ($1, $2, $3, COALESCE($4, ''), $5, $6, $7)
     ON CONFLICT (org_id) DO UPDATE SET issuer = EXCLUDED.issuer, client_id = EXCLUDED.client_id,
       client_secret = COALESCE($4, sso_settings.client_secret), claim = EXCLUDED.claim,
       attribute = EXCLUDED.attribute, updated_at = EXCLUDED.updated_at
     RETURNING ${SSO_COLUMNS}`,
    [s.org_id, s.issuer, s.client_id, s.client_secret, s.claim, s.attribute, at],
  );
  return rows[0]!;
}

export async function deleteSsoSettings(q: Queryable, orgId: string): Promise<boolean> {
  const { rows } = await q.query('DELETE FROM sso_settings WHERE org_id = $1 RETURNING org_id', [orgId]);
  return rows.length > 0;
}

export async function insertSignInAttempt(q: Queryable, idHash: string, a: SignInAttemptRow, now: Date): Promise<void> {
  // Abandoned attempts go as new ones come: the table holds only the last ten minutes' worth.
  await q.query('DELETE FROM signin_attempts WHERE expires_at < $1', [now]);
  await q.query(
    `INSERT INTO signin_attempts (id_hash, org_id, state, nonce, code_verifier, return_to, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [idHash, a.org_id, a.state, a.nonce, a.code_verifier, a.return_to, a.expires_at],
  );
}

/** Takes an attempt (it is used once, whatever happens next); undefined when unknown or expired. */
export async function takeSignInAttempt(
  q: Queryable,
  idHash: string,
  now: Date,
): Promise<SignInAttemptRow | undefined> {
  const { rows } = await q.query<SignInAttemptRow>(
    `DELETE FROM signin_attempts WHERE id_hash = $1
     RETURNING org_id, state, nonce, code_verifier, return_to, expires_at`,
    [idHash],
  );
  const row = rows[0];
  return row && row.expires_at > now ? row : undefined;
}

export async function insertSession(
  q: Queryable,
  s: { id: string; secretHash: string; orgId: string; userId: string; createdAt: Date; expiresAt: Date },
): Promise<void> {
  // A session a day past its lifetime answers nothing any more: it goes as new ones come, so the
  // table holds about a lifetime's worth of sign-ins.
  await q.query('DELETE FROM sessions WHERE expires_at < $1', [new Date(s.createdAt.getTime() - 86_400_000)]);
  await q.query(
    `INSERT INTO sessions (id, secret_hash, org_id, user_id, created_at, last_seen_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $5, $6)`,
    [s.id, s.secretHash, s.orgId, s.userId, s.createdAt, s.expiresAt],
  );
}

export async function findSessionBySecretHash(q: Queryable, secretHash: string): Promise<SessionRow | undefined> {
  const { rows } = await q.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE secret_hash = $1`, [
    secretHash,
  ]);
  return rows[0];
}

/** Ends a live session; false when it had already ended. */
export async function endSession(q: Queryable, id: string, at: Date, reason: string): Promise<boolean> {
  const { rows } = await q.query(
    'UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL RETURNING id',
    [id, at, reason],
  );
  return rows.length > 0;
}

export async function touchSession(q: Queryable, id: string, at: Date): Promise<void> {
  await q.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2', [id, at]);
}

/** Ends every live session of a person (an identity provider's signal, issue 14); the ids it ended. */
export async function endSessionsOfUser(
  q: Queryable,
  orgId: string,
  userId: string,
  at: Date,
  reason: string,
): Promise<string[]> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE sessions SET ended_at = $3, end_reason = $4
      WHERE org_id = $1 AND user_id = $2 AND ended_at IS NULL AND expires_at > $3 RETURNING id`,
    [orgId, userId, at, reason],
  );
  return rows.map((r) => r.id);
}
