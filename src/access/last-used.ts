import type { Logger } from 'pino';
import type { Db } from '../db/db.js';
import { keysForAuthentication } from '../keys/keys-service.js';

/** Writes a key's last use at most once a minute per key and process, after the response, never in its way. */
export class LastUsedRecorder {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly now: () => Date,
    private readonly intervalMs = 60_000,
  ) {}

  record(orgId: string, keyId: string, nowMs = this.now().getTime()): void {
    const previous = this.lastWrite.get(keyId);
    if (previous !== undefined && nowMs - previous < this.intervalMs) return;
    const at = new Date(nowMs);
    this.lastWrite.set(keyId, nowMs);
    if (this.lastWrite.size > 100_000) this.lastWrite.clear();
    setImmediate(() => {
      keysForAuthentication
        .touchLastUsed(this.db, orgId, keyId, at)
        .catch((err: Error) => this.logger.warn({ err: err.message, keyId }, 'could not record last use'));
    });
  }
}
