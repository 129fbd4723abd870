import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.js';
import type { Db, ListenHandlers, QueryResult, Queryable } from './db.js';

/**
 * The embedded default: real PostgreSQL compiled to WebAssembly, in this process.
 * PGlite runs one statement at a time and its transactions are exclusive, so there is
 * nothing to retry and no connection to lose.
 */
export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  private closed = false;

  private constructor(
    private readonly pglite: PGlite,
    private readonly unlock: () => void,
  ) {}

  /**
   * `dataDir` undefined keeps the database in memory; `loadDataDir` starts from a dumped copy.
   * A directory is locked for this process until close() (throws DataDirInUseError if it is not free).
   */
  static async open(options: { dataDir?: string; loadDataDir?: Blob | File } = {}): Promise<PgliteDb> {
    const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
    try {
      const pglite = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
      return new PgliteDb(pglite, unlock);
    } catch (error) {
      unlock();
      throw error;
    }
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(sql, params as unknown[] | undefined);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (t) =>
      work({
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          const r = await t.query<R>(sql, params as unknown[] | undefined);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
        exec: async (sql: string) => {
          await t.exec(sql);
        },
      }),
    );
  }

  async listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    const unlisten = await this.pglite.listen(channel, handlers.onMessage);
    return async () => {
      if (!this.closed) await unlisten();
    };
  }

  async ping(): Promise<void> {
    await this.pglite.query('SELECT 1');
  }

  /** A compressed copy of the whole database, used to clone a migrated template in tests. */
  dump(): Promise<Blob | File> {
    return this.pglite.dumpDataDir('gzip');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.pglite.close();
    } finally {
      this.unlock();
    }
  }
}
