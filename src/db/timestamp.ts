const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:[Zz]|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Whether `text` is an ISO 8601 date or date-time that a PostgreSQL timestamptz takes as the same
 * instant: a real calendar day (no 30 February: JavaScript would roll it over into March), an
 * offset within ±15:59, and a year from 1 to 9999 once the offset is applied.
 */
export function isStorableTimestamp(text: string): boolean {
  const m = ISO_8601.exec(text);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1, 7)
    .map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const [offsetHours, offsetMinutes] = [Number(m[8] ?? 0), Number(m[9] ?? 0)];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 15 || offsetMinutes > 59) return false;
  const offsetMs = (m[7] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  const utcYear = new Date(
    utc(year!, month! - 1, day!).getTime() + ((hour * 60 + minute) * 60 + second) * 1000 - offsetMs,
  ).getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999;
}

// Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not.
function utc(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

function daysIn(year: number, month: number): number {
  return utc(year, month, 0).getUTCDate();
}
