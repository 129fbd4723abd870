import type { Queryable } from '../db/db.js';
import { tag, type MarkChanged } from '../db/unit-of-work.js';
import { endSession, endSessionsOfUser, findSessionBySecretHash, touchSession } from './sessions-store.js';

/**
 * What authentication (access/) reads and writes about sessions, as it does for keys: finding a
 * session by the SHA-256 of its cookie, ending one that has run out or whose person is gone, and
 * recording that it was used (at most once a minute, off the request's path).
 */
export const sessionsForAuthentication = {
  find: findSessionBySecretHash,
  end: endSession,
  touch: touchSession,
};

/**
 * Ends every live session of a person in the caller's transaction (an identity provider's signal,
 * issue 14), each evicted on every process by its change tag. Returns how many it ended.
 */
export async function endPersonSessions(
  tx: Queryable,
  changed: MarkChanged,
  orgId: string,
  userId: string,
  at: Date,
  reason: 'idp_signal' | 'idp_logout',
): Promise<number> {
  const ended = await endSessionsOfUser(tx, orgId, userId, at, reason);
  for (const id of ended) changed(tag.session(id));
  return ended.length;
}
