import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  DatabaseUnavailableError,
  RETRYABLE_CODES,
  errorCode,
  isDatabaseUnavailable,
  type Db,
  type ListenHandlers,
  type QueryResult,
  type Queryable,
} from './db.js';

// Keep timestamps as JavaScript Dates and bigint counts as numbers, the same as PGlite returns them.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

const MAX_TRANSACTION_ATTEMPTS = 5;
// The listening connection is asked for a sign of life this often; a silent network cut (no reset)
// is then noticed within a few seconds instead of leaving caches unsure until their TTL.
const HEARTBEAT_MS = 5000;
const HEARTBEAT_TIMEOUT_MS = 3000;
// Statements get a name (and so a plan PostgreSQL keeps per connection) up to this many distinct texts.
const MAX_NAMED_STATEMENTS = 500;
const RECONNECT_DELAYS_MS = [100, 250, 500, 1000, 2000];

export class PgDb implements Db {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly listeners = new Set<pg.Client>();
  private readonly statementNames = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    poolSize = 10,
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5000, keepAlive: true });
    // An idle client that loses its connection emits here; without a handler the process would crash.
    this.pool.on('error', (err) => this.logger.warn({ err: err.message }, 'idle database connection lost'));
  }

  async query<R>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
    try {
      const result = await this.pool.query(this.statement(sql, params));
      return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw asOutage(error);
    }
  }

  /**
   * Planning a statement can cost more than running it (0.9 ms against 0.4 ms for a user with its
   * groups). Named statements are prepared once per connection and their plans reused; the SQL text
   * (values are always parameters) names them, up to a bound so odd filters cannot fill memory.
   */
  private statement(sql: string, params?: readonly unknown[]): pg.QueryConfig {
    let name = this.statementNames.get(sql);
    if (name === undefined && this.statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `ks_${createHash('sha1').update(sql).digest('base64url').slice(0, 20)}`;
      this.statementNames.set(sql, name);
    }
    return { text: sql, values: params as unknown[] | undefined, ...(name ? { name } : {}) };
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.pool.query(sql);
    } catch (error) {
      throw asOutage(error);
    }
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one connection of the pool, again from the start after a
   * serialization failure or deadlock, or after the connection broke before COMMIT was sent.
   *
   * Why a broken connection may be retried only before COMMIT: PostgreSQL rolls back the open
   * transaction of a session that ends, normally or not (protocol, "Termination":
   * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-TERMINATION). So if
   * the connection broke in BEGIN, in any statement of `work` or between two of them, nothing of
   * this attempt is in the database, and running `work` again on a new connection is as safe as
   * after a serialization failure (`work` starts from scratch; nothing was answered yet). Once
   * COMMIT is sent, a broken connection leaves its outcome unknown: the commit may be durable and
   * only the answer lost. Running `work` again could then apply it twice (a second user, a second
   * key), so the caller gets a DatabaseUnavailableError (503) instead: nothing was acknowledged.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.checkout();
      const { client } = connection;
      const tx: Queryable = {
        query: async <R>(sql: string, params?: readonly unknown[]) => {
          const r = await client.query(this.statement(sql, params));
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      let commitSent = false;
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        // `work` may have caught a failed statement and gone on; a client that lost its connection
        // would refuse COMMIT without sending it, so this attempt counts as not committed.
        if (connection.lost) throw connection.lost;
        commitSent = true;
        await client.query('COMMIT');
        connection.release();
        return result;
      } catch (error) {
        if (!connection.lost && !isDatabaseUnavailable(error)) {
          // A statement failed on a live connection: end the transaction and keep the connection,
          // unless ROLLBACK fails too (then the connection is what failed).
          await client.query('ROLLBACK').catch((rollbackError: unknown) => connection.markLost(rollbackError));
        }
        const lost = connection.lost ?? (isDatabaseUnavailable(error) ? error : undefined);
        connection.release(lost);
        if (lost === undefined) {
          if (attempt < MAX_TRANSACTION_ATTEMPTS && RETRYABLE_CODES.has(errorCode(error) ?? '')) continue;
          throw error;
        }
        const cause = { err: lost instanceof Error ? lost.message : String(lost), code: errorCode(lost) };
        if (commitSent) {
          this.logger.warn(
            cause,
            'database connection lost during COMMIT; the transaction may or may not have committed: answering 503',
          );
          throw new DatabaseUnavailableError(
            'The connection to the database broke during COMMIT; the transaction may or may not have committed',
            { cause: lost },
          );
        }
        if (attempt < MAX_TRANSACTION_ATTEMPTS) {
          this.logger.warn(
            { ...cause, attempt },
            'database connection lost in a transaction before COMMIT; running it again on a new connection',
          );
          continue;
        }
        throw new DatabaseUnavailableError('The connection to the database broke', { cause: lost });
      }
    }
  }

  /**
   * A client of the pool for one transaction. pg-pool takes its own 'error' listener off a client it
   * hands out, and an 'error' event without a listener ends the process (node:events): the
   * connection can break at any moment while checked out, between two statements as well as in one.
   * The listener here keeps the error instead; the next statement then fails and the transaction ends.
   * It is attached inside pg-pool's callback, not after an `await`: for a new connection pg-pool calls
   * back while parsing its first ReadyForQuery, and an error PostgreSQL sent in the same packet (a
   * backend terminated just after it started) is emitted before any code awaiting a promise runs.
   */
  private checkout(): Promise<CheckedOut> {
    return new Promise((resolve, reject) => {
      this.pool.connect((error, client) => {
        if (error || !client) {
          // No connection was made, so no statement ran: whatever the cause, the database is out of reach.
          reject(new DatabaseUnavailableError('No connection to the database', { cause: error }));
          return;
        }
        const onError = (e: Error) => checkedOut.markLost(e);
        const checkedOut: CheckedOut = {
          client,
          lost: undefined,
          markLost: (e) => {
            checkedOut.lost ??= e instanceof Error ? e : new Error(String(e));
          },
          release: (e) => {
            client.off('error', onError);
            // With an error, pg-pool destroys the client instead of keeping it; the client has the
            // pool's listener again, which absorbs any 'error' the closing socket still emits.
            client.release(
              checkedOut.lost ?? (e === undefined ? undefined : e instanceof Error ? e : new Error(String(e))),
            );
          },
        };
        client.on('error', onError);
        resolve(checkedOut);
      });
    });
  }

  async listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    let client: pg.Client | undefined;
    let stopped = false;
    let attempt = 0;

    let heartbeat: NodeJS.Timeout | undefined;

    const connect = async (): Promise<void> => {
      const c = new pg.Client({ connectionString: this.url, keepAlive: true });
      c.on('notification', (msg) => {
        if (msg.channel === channel && msg.payload !== undefined) handlers.onMessage(msg.payload);
      });
      // Until `client = c` below, lost() ignores this client; `broken` remembers what it ignored: an
      // error PostgreSQL sends right after LISTEN's answer (in the same packet) is emitted before this
      // function resumes, and a dead connection must not be taken for a listening one.
      let broken = false;
      c.on('error', () => {
        broken = true;
        lost(c);
      });
      c.on('end', () => {
        broken = true;
        lost(c);
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        if (broken) throw new Error('the connection broke as listening started');
      } catch (error) {
        c.end().catch(() => undefined);
        throw error;
      }
      client = c;
      this.listeners.add(c);
      heartbeat = setInterval(() => {
        const timeout = new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('heartbeat timeout')), HEARTBEAT_TIMEOUT_MS).unref(),
        );
        Promise.race([c.query('SELECT 1'), timeout]).catch(() => lost(c));
      }, HEARTBEAT_MS);
      heartbeat.unref();
    };

    const lost = (c: pg.Client) => {
      if (client !== c) return;
      client = undefined;
      clearInterval(heartbeat);
      this.listeners.delete(c);
      c.end().catch(() => undefined);
      if (stopped || this.closed) return;
      this.logger.warn({ channel }, 'notification connection lost; flushing caches and reconnecting');
      handlers.onGap('lost');
      scheduleReconnect();
    };

    const scheduleReconnect = () => {
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt++, RECONNECT_DELAYS_MS.length - 1)];
      setTimeout(() => {
        if (stopped || this.closed) return;
        connect().then(
          () => {
            attempt = 0;
            this.logger.info({ channel }, 'notification connection restored');
            handlers.onGap('restored');
          },
          () => scheduleReconnect(),
        );
      }, delay).unref();
    };

    await connect();
    return async () => {
      stopped = true;
      clearInterval(heartbeat);
      const c = client;
      client = undefined;
      if (c) {
        this.listeners.delete(c);
        await c.end().catch(() => undefined);
      }
    };
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      throw asOutage(error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.listeners].map((c) => c.end().catch(() => undefined)));
    await this.pool.end();
  }
}

interface CheckedOut {
  client: pg.PoolClient;
  /** Set once the connection has reported an error: it is broken, whatever comes next. */
  lost: Error | undefined;
  markLost(error: unknown): void;
  /** Back to the pool, or destroyed if the connection broke or `error` is given; exactly once. */
  release(error?: unknown): void;
}

/** An error that means the database is out of reach becomes a DatabaseUnavailableError (503); others stay as they are. */
function asOutage(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || !isDatabaseUnavailable(error)) return error;
  return new DatabaseUnavailableError('The database is unavailable', { cause: error });
}
