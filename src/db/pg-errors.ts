import { DomainError, invalid, uniqueness } from '../errors/domain-error.js';
import { errorCode, isDatabaseUnavailable } from './db.js';

// Unique constraints a client can hit, each with the message that tells it what to change.
const UNIQUE_MESSAGES: Record<string, string> = {
  users_user_name_key: 'A user with this userName already exists in this organization',
  groups_display_name_key: 'A group with this displayName already exists in this organization',
  organizations_name_key: 'An organization with this name already exists',
};

/** Translates database errors that clients can cause into domain errors, in one place (23505 → 409 uniqueness). */
export function translateDbError(error: unknown): DomainError | undefined {
  if (isDatabaseUnavailable(error)) {
    return new DomainError('unavailable', 'database_unavailable', 'The database is unavailable; retry shortly', {
      retryAfterSeconds: 1,
    });
  }
  const code = errorCode(error);
  if (code === '23505') {
    const constraint = (error as { constraint?: string }).constraint ?? constraintFromMessage(error);
    return uniqueness(UNIQUE_MESSAGES[constraint ?? ''] ?? 'This value is already taken');
  }
  // Class 22, data exceptions (NUL characters, malformed casts, dates or numbers out of range), and
  // 54000 (a value too long for an index): values a client sent that PostgreSQL cannot take.
  if (code?.startsWith('22') || code === '54000') {
    return invalid('A value in the request cannot be stored or compared (invalid characters, format or range)');
  }
  if (code === '54001' || code === '57014') {
    // statement too complex / query cancelled (statement_timeout)
    return invalid('The request is too expensive to answer; narrow it', 'invalidFilter');
  }
  return undefined;
}

// PGlite reports the constraint only inside the message text.
function constraintFromMessage(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /constraint "([^"]+)"/.exec(message)?.[1];
}
