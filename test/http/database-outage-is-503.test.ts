import pg from 'pg';
import { DatabaseUnavailableError } from '../../src/db/db.js';
import { toHttpError } from '../../src/http/error-handler.js';

/**
 * However node-postgres words a lost or refused connection, the one error mapper answers 503
 * database_unavailable with Retry-After, never a 500 (DESIGN §9: a database fault is an outage, not a
 * server fault). The end-to-end check under load is test/ops/database-faults-under-write-load.test.ts.
 */
function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('a database outage, as the one error mapper sees it', () => {
  it('is 503 for a refused connection, as node-postgres reports it', async () => {
    const client = new pg.Client({ connectionString: 'postgres://keyscope@127.0.0.1:1/keyscope' });
    const refused = await client.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(toHttpError(refused)).toMatchObject({
      status: 503,
      code: 'database_unavailable',
      options: { headers: { 'Retry-After': '1' } },
    });
  });

  it.each([
    [
      'a client that lost its connection before',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    ['a socket closed under a query', new Error('Connection terminated unexpectedly')],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
    [
      'pg_terminate_backend or a fast shutdown',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    [
      'a crash of another backend',
      withCode('terminating connection because of crash of another server process', '57P02'),
    ],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    [
      'a COMMIT whose outcome is unknown',
      new DatabaseUnavailableError('The connection to the database broke during COMMIT', {
        cause: new Error('Connection terminated unexpectedly'),
      }),
    ],
  ])('is 503 for %s', (_what, error) => {
    expect(toHttpError(error)).toMatchObject({ status: 503, code: 'database_unavailable' });
  });

  it('leaves a fault of the server itself to the plain 500', () => {
    expect(toHttpError(withCode('relation "users" does not exist', '42P01'))).toBeUndefined();
  });
});
