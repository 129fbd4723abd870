import { HttpError, conflict } from '../http/http-error.js';
import { errorCode } from './db.js';

// Unique constraints a client can hit, each with the message that tells it what to change.
const UNIQUE_MESSAGES: Record<string, string> = {
  users_user_name_key: 'A user with this userName already exists in this organization',
  groups_display_name_key: 'A group with this displayName already exists in this organization',
  organizations_name_key: 'An organization with this name already exists',
};

/** Translates database errors that clients can cause into HTTP errors, in one place (23505 → 409 uniqueness). */
export function translateDbError(error: unknown): HttpError | undefined {
  const code = errorCode(error);
  if (code === '23505') {
    const constraint = (error as { constraint?: string }).constraint ?? constraintFromMessage(error);
    return conflict(UNIQUE_MESSAGES[constraint ?? ''] ?? 'This value is already taken');
  }
  if (code === '54001' || code === '57014') {
    // statement too complex / query cancelled (statement_timeout)
    return new HttpError(400, 'invalidFilter', 'The request is too expensive to answer; narrow it', { scimType: 'invalidFilter' });
  }
  return undefined;
}

// PGlite reports the constraint only inside the message text.
function constraintFromMessage(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : '';
  return /constraint "([^"]+)"/.exec(message)?.[1];
}
