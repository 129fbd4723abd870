import type { Queryable } from '../db/db.js';
import type { KeySource, OnSignal, SignalSettingsRow, SignalSource } from './signals.js';

const COLUMNS = 'org_id, transmitters, universal_logout, on_signal, updated_at';

export async function findSignalSettings(q: Queryable, orgId: string): Promise<SignalSettingsRow | undefined> {
  const { rows } = await q.query<SignalSettingsRow>(`SELECT ${COLUMNS} FROM signal_settings WHERE org_id = $1`, [
    orgId,
  ]);
  return rows[0];
}

/** The one organization whose Universal Logout issuer this is (unique across organizations). */
export async function findSignalSettingsByLogoutIssuer(
  q: Queryable,
  issuer: string,
): Promise<SignalSettingsRow | undefined> {
  const { rows } = await q.query<SignalSettingsRow>(
    `SELECT ${COLUMNS} FROM signal_settings WHERE universal_logout_issuer = $1`,
    [issuer],
  );
  return rows[0];
}

export async function logoutIssuerTaken(q: Queryable, orgId: string, issuer: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM signal_settings WHERE universal_logout_issuer = $1 AND org_id <> $2', [
    issuer,
    orgId,
  ]);
  return rows.length > 0;
}

export async function upsertSignalSettings(
  q: Queryable,
  s: { orgId: string; transmitters: KeySource[]; universalLogout: KeySource | null; onSignal: OnSignal },
  at: Date,
): Promise<SignalSettingsRow> {
  const { rows } = await q.query<SignalSettingsRow>(
    `INSERT INTO signal_settings (org_id, transmitters, universal_logout, universal_logout_issuer, on_signal, updated_at)
     VALUES ($1, $2::jsonb, $3::jsonb, $4, $5, $6)
     ON CONFLICT (org_id) DO UPDATE SET transmitters = EXCLUDED.transmitters,
       universal_logout = EXCLUDED.universal_logout, universal_logout_issuer = EXCLUDED.universal_logout_issuer,
       on_signal = EXCLUDED.on_signal, updated_at = EXCLUDED.updated_at
     RETURNING ${COLUMNS}`,
    [
      s.orgId,
      JSON.stringify(s.transmitters),
      s.universalLogout === null ? null : JSON.stringify(s.universalLogout),
      s.universalLogout?.issuer ?? null,
      s.onSignal,
      at,
    ],
  );
  return rows[0]!;
}

/**
 * Records that a signal took effect; false when its jti was already received from that issuer for
 * that organization (then it has no second effect). A concurrent twin waits on the primary key and
 * then finds it taken.
 */
export async function insertSignalReceipt(
  q: Queryable,
  r: {
    orgId: string;
    issuer: string;
    jti: string;
    source: SignalSource;
    eventTypes: string[];
    userId: string | null;
    at: Date;
  },
): Promise<boolean> {
  const { rows } = await q.query(
    `INSERT INTO signal_receipts (org_id, issuer, jti, source, event_types, user_id, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING jti`,
    [r.orgId, r.issuer, r.jti, r.source, r.eventTypes, r.userId, r.at],
  );
  return rows.length > 0;
}
