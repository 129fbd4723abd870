import { isStorableTimestamp } from '../db/timestamp.js';
import { invalid } from '../errors/domain-error.js';
import { EXPIRATION_PRESETS, type ExpirationPreset, type KeyPolicy } from './keys.js';

const DAY_MS = 24 * 3600 * 1000;
const PRESET_DAYS: Record<Exclude<ExpirationPreset, 'never'>, number> = {
  '7d': 7,
  '30d': 30,
  '60d': 60,
  '90d': 90,
  '180d': 180,
  '1y': 365,
};
export const DEFAULT_EXPIRATION: ExpirationPreset = '30d';

/** The longest lifetime the policy allows in days, or null when "never" is allowed. */
function longestAllowedDays(policy: KeyPolicy): number | null {
  if (policy.allowNever && policy.allowedExpirations.includes('never')) return null;
  const days = policy.allowedExpirations
    .filter((p): p is Exclude<ExpirationPreset, 'never'> => p !== 'never')
    .map((p) => PRESET_DAYS[p]);
  return days.length ? Math.max(...days) : 0;
}

export function isPreset(value: string): value is ExpirationPreset {
  return (EXPIRATION_PRESETS as readonly string[]).includes(value);
}

/**
 * Resolves `expiration` (a preset) or `expiresAt` (an explicit future date) to an expiry date,
 * null meaning never, within the organization's policy.
 */
export function resolveExpiry(
  input: { expiration?: string; expiresAt?: string },
  policy: KeyPolicy,
  now: Date,
  options: { scim: boolean },
): Date | null {
  if (input.expiration !== undefined && input.expiresAt !== undefined) {
    throw invalid('Give either expiration (a preset) or expiresAt (a date), not both', 'invalidValue', [
      { field: 'expiration', message: 'Give either expiration or expiresAt, not both' },
    ]);
  }
  let expiresAt: Date | null;
  if (input.expiresAt !== undefined) {
    const date = new Date(input.expiresAt);
    if (!isStorableTimestamp(input.expiresAt) || Number.isNaN(date.getTime())) {
      throw invalid(`expiresAt "${input.expiresAt}" is not an ISO 8601 date`, 'invalidValue', [
        { field: 'expiresAt', message: 'Use an ISO 8601 date such as 2027-01-31T00:00:00Z' },
      ]);
    }
    if (date.getTime() <= now.getTime()) {
      throw invalid('expiresAt must be in the future', 'invalidValue', [
        { field: 'expiresAt', message: 'Pick a date in the future' },
      ]);
    }
    // Without "never", an explicit date may not outlive the longest preset the policy allows.
    const longest = longestAllowedDays(policy);
    if (longest !== null && date.getTime() > now.getTime() + longest * DAY_MS) {
      throw invalid(`This organization allows keys to live at most ${longest} days`, 'invalidValue', [
        { field: 'expiresAt', message: `Pick a date within ${longest} days` },
      ]);
    }
    expiresAt = date;
  } else {
    const preset = input.expiration ?? DEFAULT_EXPIRATION;
    if (!isPreset(preset)) {
      throw invalid(`expiration "${preset}" is not one of ${EXPIRATION_PRESETS.join(', ')}`, 'invalidValue', [
        { field: 'expiration', message: `Choose one of ${EXPIRATION_PRESETS.join(', ')}, or give expiresAt` },
      ]);
    }
    if (!policy.allowedExpirations.includes(preset) || (preset === 'never' && !policy.allowNever)) {
      const allowed = policy.allowedExpirations.filter((p) => p !== 'never' || policy.allowNever);
      throw invalid(
        `This organization does not allow expiration "${preset}"; allowed: ${allowed.join(', ')}`,
        'invalidValue',
        [{ field: 'expiration', message: `Not allowed by the organization's policy; choose ${allowed.join(', ')}` }],
      );
    }
    expiresAt = preset === 'never' ? null : new Date(now.getTime() + PRESET_DAYS[preset] * DAY_MS);
  }
  if (options.scim && policy.maxScimKeyLifetimeDays !== null) {
    const cap = now.getTime() + policy.maxScimKeyLifetimeDays * DAY_MS;
    if (expiresAt === null || expiresAt.getTime() > cap) {
      throw invalid(
        `Keys with the SCIM flag may live at most ${policy.maxScimKeyLifetimeDays} days in this organization`,
        'invalidValue',
        [{ field: 'expiration', message: `At most ${policy.maxScimKeyLifetimeDays} days for SCIM keys` }],
      );
    }
  }
  return expiresAt;
}
