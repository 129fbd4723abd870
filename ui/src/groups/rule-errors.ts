import { ApiError, messageOf } from '../api/problem';

/** Where a message about one rule goes: under its permission or role, its resources, its condition, or the rule. */
export type RulePart = 'value' | 'resources' | 'when' | 'rule';

export type RuleErrors = Partial<Record<RulePart, string>>;

export interface SaveErrors {
  /** By the rule's position in the list the server was sent. */
  rows: Record<number, RuleErrors>;
  general?: string;
}

/** `rules.3.resources.0` → rule 3, its resources; `rules.3.permission` → rule 3, its value. */
function placeOf(field: string): { row: number; part: RulePart } | undefined {
  const match = /^rules\.(\d+)(?:\.(\w+))?/.exec(field);
  if (!match) return undefined;
  const part: RulePart =
    match[2] === 'resources'
      ? 'resources'
      : match[2] === 'when'
        ? 'when'
        : match[2] === 'permission' || match[2] === 'role'
          ? 'value'
          : 'rule';
  return { row: Number(match[1]), part };
}

export function saveErrorsOf(error: unknown): SaveErrors {
  if (!(error instanceof ApiError)) return { rows: {}, general: messageOf(error) };
  const rows: Record<number, RuleErrors> = {};
  for (const { field, message } of error.fieldErrors) {
    const place = placeOf(field);
    if (!place) continue;
    const row = rows[place.row] ?? {};
    rows[place.row] = row;
    row[place.part] = row[place.part] ? `${row[place.part]}; ${message}` : message;
  }
  return { rows, general: Object.keys(rows).length ? undefined : error.detail };
}
