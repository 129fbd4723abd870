import { execFile } from 'node:child_process';
import type { RoleView } from '../../src/groups/roles.js';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import type { AuthorizeAnswer, IntrospectAnswer, PrincipalDescription } from '../../src/access/access-service.js';
import type { AuditEvent as ServerAuditEvent } from '../../src/audit/audit.js';
import type { AuthorizeDecision, Introspection, Me } from '../../src/client/index.js';
import type * as Client from '../../src/client/index.js';
import type { AdminGroup } from '../../src/groups/groups-admin-service.js';
import type { ApiKeyDetail as ServerApiKeyDetail, ApiKey as ServerApiKey } from '../../src/keys/keys.js';
import type { Organization as ServerOrganization } from '../../src/orgs/orgs.js';
import type { PermissionInfo } from '../../src/principals/permissions.js';
import type { UserDetail } from '../../src/users/users.js';

/**
 * Services import the client as `keyscope/client` (package.json "exports", built into dist/client
 * with its types by `npm run build`, which `npm test` runs first).
 */
const run = promisify(execFile);

// Compile-time (npm run typecheck): what the server answers fits the client's types. The client
// imports nothing of the server, so this is where the two are held together.
function clientReads(server: { me: PrincipalDescription; authorize: AuthorizeAnswer; introspect: IntrospectAnswer }): {
  me: Me;
  authorize: AuthorizeDecision;
  introspect: Introspection;
} {
  return server;
}

// The admin API's answers, as JSON carries them (dates as ISO strings), fit the client's types too.
type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };
function clientReadsAdmin(server: {
  key: ServerApiKey;
  keyDetail: ServerApiKeyDetail;
  user: UserDetail;
  group: AdminGroup;
  permissions: { permissions: readonly PermissionInfo[]; roles: { name: string; permissions: readonly string[] }[] };
  organization: Json<ServerOrganization>;
  audit: Json<ServerAuditEvent>;
  role: RoleView;
}): {
  key: Client.ApiKey;
  keyDetail: Client.ApiKeyDetail;
  user: Client.User;
  group: Client.Group;
  permissions: Client.PermissionCatalogue;
  organization: Client.Organization;
  audit: Client.AuditEvent;
  role: Client.Role;
} {
  return server;
}

describe('keyscope/client', () => {
  it('resolves through package.json "exports" to the built client', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('keyscope/client'); console.log(JSON.stringify(Object.keys(m).sort()))",
      ],
      { env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(JSON.parse(stdout)).toEqual(
      expect.arrayContaining([
        'DecisionCache',
        'KeyscopeClient',
        'KeyscopeError',
        'MAX_DECISION_TTL_MS',
        'keyscopeAuth',
      ]),
    );
  });

  it('ships its types, which fit what the server answers (checked by npm run typecheck)', () => {
    expect(clientReads).toBeInstanceOf(Function);
    expect(clientReadsAdmin).toBeInstanceOf(Function);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
    };
    const entry = pkg.exports['./client']!;
    expect(existsSync(entry.default)).toBe(true);
    expect(existsSync(entry.types)).toBe(true);
    const types = readFileSync(entry.types, 'utf8');
    expect(types).toContain('keyscopeAuth');
    expect(types).toContain('KeyscopeClient');
  });
});
