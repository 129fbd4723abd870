import { endSession, findSessionBySecretHash, touchSession } from './sessions-store.js';

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
