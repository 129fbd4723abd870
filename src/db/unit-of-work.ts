import type { Db, Queryable } from './db.js';
import { chunkPayloads, notify } from './notify.js';

/** The channel on which committed changes are announced to every process (DESIGN §5). */
export const CHANGES_CHANNEL = 'keyscope_invalidate';

/**
 * What a write changed, as the tags principals depend on: a key, a group, a user, an organization.
 * A cached principal carries the tags of everything it was resolved from; a change evicts it.
 */
export const tag = {
  key: (id: string) => `k:${id}`,
  group: (id: string) => `g:${id}`,
  user: (id: string) => `u:${id}`,
  org: (id: string) => `o:${id}`,
  /** The extension schemas an organization registered (users/): every process reloads that organization's. */
  scimSchemas: (orgId: string) => `sx:${orgId}`,
  /** The token signing keys (tokens/): every process reloads them. */
  signingKeys: () => 'sk:*',
  /** A sign-in session (sessions/): ended by its person, or by an admin. */
  session: (id: string) => `s:${id}`,
};

/** Marks what a write changed, with the tags above. */
export type MarkChanged = (...tags: string[]) => void;

/** The NOTIFY payload: the tags, and when the change was sent (for the pickup-lag metric). */
export interface ChangeNotice {
  t: string[];
  at: number;
}

/**
 * One transaction that announces what it changed: the tags go out with NOTIFY inside it, so every
 * listening process hears them once (and only if) it commits; `onCommitted` then tells this process
 * at once, so its next request already sees the change.
 */
export class UnitOfWork {
  constructor(
    private readonly db: Db,
    private readonly onCommitted: (tags: string[]) => void = () => undefined,
  ) {}

  async write<T>(work: (tx: Queryable, changed: MarkChanged) => Promise<T>): Promise<T> {
    let tags = new Set<string>();
    const result = await this.db.transaction(async (tx) => {
      // A retried transaction (serialization failure, lost connection) starts its marks afresh.
      tags = new Set();
      const value = await work(tx, (...t) => {
        for (const x of t) tags.add(x);
      });
      if (tags.size) {
        const at = Date.now();
        await notify(
          tx,
          CHANGES_CHANNEL,
          chunkPayloads([...tags], (chunk) => JSON.stringify({ t: chunk, at } satisfies ChangeNotice)),
        );
      }
      return value;
    });
    if (tags.size) this.onCommitted([...tags]);
    return result;
  }
}
