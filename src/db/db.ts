/** The one database interface every store uses: PostgreSQL through `pg`, or PGlite in-process. */

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export type NotificationHandler = (payload: string) => void;

export interface ListenHandlers {
  onMessage: NotificationHandler;
  /** Called when notifications may have been missed (connection lost), and again once listening resumes. */
  onGap: (state: 'lost' | 'restored') => void;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction; retried on serialization failures and deadlocks. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The database cannot be reached, or the connection broke: an outage, never a fault of the request.
 * `cause` is the driver's error. When the connection broke while COMMIT was on its way, the
 * transaction may or may not have committed; the message says so.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'database_unavailable';
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** PostgreSQL error codes worth retrying a whole transaction for. */
export const RETRYABLE_CODES = new Set(['40001', '40P01']);

export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

// The database is down, restarting or out of reach, or the connection to it broke: the request may
// succeed if retried (503, not a server fault). SQLSTATE class 08 (connection exceptions); 57P01-57P05
// (terminated by an administrator or pg_terminate_backend, a crash of another backend, starting up or
// shutting down, database dropped, idle-session timeout) and 25P03 (idle-in-transaction timeout), after
// which PostgreSQL closes the connection; too many connections (53300); the database or its role missing
// or refused (3D000, 28P01, 28000), which only an operator fixes; and what Node's sockets report.
// https://www.postgresql.org/docs/current/errcodes-appendix.html
const UNAVAILABLE_CODES = new Set([
  ...['08000', '08001', '08003', '08004', '08006', '08007'],
  ...['57P01', '57P02', '57P03', '57P04', '57P05', '25P03'],
  ...['53300', '3D000', '28P01', '28000'],
  ...[
    'ECONNREFUSED',
    'ECONNRESET',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ENOTFOUND',
    'EAI_AGAIN',
  ],
]);

// node-postgres and pg-pool report a lost connection as plain Errors without a code: "Connection
// terminated unexpectedly" (the socket closed), "Client has encountered a connection error and is not
// queryable" (a query on a client that already lost it), "timeout exceeded when trying to connect" (no
// connection within connectionTimeoutMillis), and a database that does not accept connections (55000).
const UNAVAILABLE_MESSAGES =
  /Connection terminated|is not queryable|timeout exceeded when trying to connect|connect ECONNREFUSED|not accepting connections|Cannot use a pool after calling end/;

/** Whether an error means the database is out of reach or the connection broke, whatever the driver called it. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (UNAVAILABLE_CODES.has(errorCode(error) ?? '')) return true;
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
}
