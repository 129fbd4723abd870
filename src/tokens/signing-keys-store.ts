import type { Queryable } from '../db/db.js';
import type { PublicJwk, SigningKeyRow } from './tokens.js';

// Any constant works; it serializes creating and rotating signing keys across processes.
const SIGNING_KEYS_LOCK = 7_261_012;

const COLUMNS = 'kid, alg, public_jwk, private_jwk, created_at, retired_at';

/** Holds the signing-keys lock until the transaction ends. */
export async function lockSigningKeys(q: Queryable): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEYS_LOCK]);
}

/** The keys still published at `now`: the current one, and those retired after `retiredSince`. Newest first. */
export async function publishedSigningKeys(q: Queryable, retiredSince: Date): Promise<SigningKeyRow[]> {
  const { rows } = await q.query<SigningKeyRow>(
    `SELECT ${COLUMNS} FROM signing_keys WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid`,
    [retiredSince],
  );
  return rows;
}

export async function currentSigningKey(q: Queryable): Promise<SigningKeyRow | undefined> {
  const { rows } = await q.query<SigningKeyRow>(`SELECT ${COLUMNS} FROM signing_keys WHERE retired_at IS NULL`);
  return rows[0];
}

export async function insertSigningKey(
  q: Queryable,
  key: { kid: string; alg: string; publicJwk: PublicJwk; privateJwk: string; createdAt: Date },
): Promise<void> {
  await q.query(
    'INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk, created_at) VALUES ($1, $2, $3, $4, $5)',
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.privateJwk, key.createdAt],
  );
}

/** Retires the current key; returns its kid. */
export async function retireCurrentSigningKey(q: Queryable, at: Date): Promise<string | undefined> {
  const { rows } = await q.query<{ kid: string }>(
    'UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL RETURNING kid',
    [at],
  );
  return rows[0]?.kid;
}

/** Forgets keys no token can need any more. */
export async function deleteSigningKeysRetiredBefore(q: Queryable, before: Date): Promise<void> {
  await q.query('DELETE FROM signing_keys WHERE retired_at < $1', [before]);
}
