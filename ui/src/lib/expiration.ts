import type { ExpirationPreset, OrgPolicy } from '../api/types';

const DAY_MS = 24 * 3600 * 1000;

export const PRESET_DAYS: Record<Exclude<ExpirationPreset, 'never'>, number> = {
  '7d': 7,
  '30d': 30,
  '60d': 60,
  '90d': 90,
  '180d': 180,
  '1y': 365,
};

export const PRESET_LABELS: Record<ExpirationPreset, string> = {
  '7d': '7 days',
  '30d': '30 days',
  '60d': '60 days',
  '90d': '90 days',
  '180d': '180 days',
  '1y': '1 year',
  never: 'Never',
};

export const ALL_PRESETS: readonly ExpirationPreset[] = ['7d', '30d', '60d', '90d', '180d', '1y', 'never'];
export const DEFAULT_PRESET: ExpirationPreset = '30d';

/** What the create dialog's Expiration field holds: a preset, or a custom day (yyyy-mm-dd). */
export type ExpirationChoice = { preset: ExpirationPreset } | { date: string };

/** The presets the organization's policy allows (the server checks again). */
export function allowedPresets(policy: OrgPolicy | null): ExpirationPreset[] {
  if (!policy) return [...ALL_PRESETS];
  return ALL_PRESETS.filter((p) => policy.allowedExpirations.includes(p) && (p !== 'never' || policy.allowNever));
}

/** A custom day expires at its last second, in the admin's time zone. */
export function endOfDay(date: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [, y, m, d] = match;
  return new Date(Number(y), Number(m) - 1, Number(d), 23, 59, 59);
}

/** When a key made now would expire: null for never, undefined when the date is not valid yet. */
export function expiryOf(choice: ExpirationChoice, now = new Date()): Date | null | undefined {
  if ('date' in choice) return endOfDay(choice.date) ?? undefined;
  if (choice.preset === 'never') return null;
  return new Date(now.getTime() + PRESET_DAYS[choice.preset] * DAY_MS);
}

/** The request fields for a choice: `expiration` for a preset, `expiresAt` for a day. */
export function expirationFields(choice: ExpirationChoice): { expiration?: ExpirationPreset; expiresAt?: string } {
  if ('preset' in choice) return { expiration: choice.preset };
  const at = endOfDay(choice.date);
  // An unreadable day goes to the server as typed, so its message lands under the field.
  return { expiresAt: at ? at.toISOString() : choice.date };
}

/** yyyy-mm-dd of a local day, for <input type="date"> bounds. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
