import { createGroup, createUser } from '../support/fixtures.js';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { cliAgainstRealServer } from './cli-harness.js';

/** Issue 15 item 6: each admin API call has its command, run as the real CLI against a real server. */
const cli = cliAgainstRealServer();
const { keyscope } = cli;
const json = <T>(result: { stdout: string }) => JSON.parse(result.stdout) as T;
const header = (result: { stdout: string }) => result.stdout.split('\n')[0];

describe('keyscope users', () => {
  let ada: string;
  let grace: string;
  let engineering: string;

  beforeAll(async () => {
    const scim = await scimClient(cli.app);
    ada = (await createUser(scim, oktaUser('ada@example.com', { displayName: 'Ada Lovelace' }))).id;
    grace = (await createUser(scim, oktaUser('grace@example.com', { displayName: 'Grace Hopper' }))).id;
    engineering = (await createGroup(scim, 'Engineering', { members: [{ value: ada }] })).id;
    await createGroup(scim, 'Everyone', { members: [{ value: engineering, type: 'Group' }] });
    await createKey(cli.app, { name: 'ada laptop', kind: 'personal', ownerUserId: ada });
  });

  it('lists users, searches them, and pages with --limit and --all', async () => {
    const table = await keyscope(['users', 'list']);
    expect(table.code).toBe(0);
    expect(header(table)).toMatch(/^ID\s+USER NAME\s+DISPLAY NAME\s+EXTERNAL ID\s+ACTIVE/);
    expect(table.stdout).toMatch(new RegExp(`${ada}\\s+ada@example.com\\s+Ada Lovelace\\s+.*yes`));
    const search = json<{ items: { id: string }[] }>(await keyscope(['users', 'list', '--search', 'grace', '--json']));
    expect(search.items.map((u) => u.id)).toEqual([grace]);
    const first = json<{ items: unknown[]; nextCursor: string | null }>(
      await keyscope(['users', 'list', '--limit', '1', '--json']),
    );
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const all = json<{ items: { id: string }[]; nextCursor: null }>(
      await keyscope(['users', 'list', '--limit', '1', '--all', '--json']),
    );
    expect(all.items.map((u) => u.id).sort()).toEqual([ada, grace].sort());
    expect(all.nextCursor).toBeNull();
  });

  it('shows one user, its groups (direct and through nesting) and its personal keys', async () => {
    const get = await keyscope(['users', 'get', ada]);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(new RegExp(`${ada}\\s+ada@example.com\\s+Ada Lovelace\\s+.*yes\\s+2$`, 'm'));
    expect(json<{ userName: string }>(await keyscope(['users', 'get', ada, '--json'])).userName).toBe(
      'ada@example.com',
    );
    const groups = await keyscope(['users', 'groups', ada]);
    expect(header(groups)).toMatch(/^ID\s+NAME\s+MEMBERSHIP/);
    expect(groups.stdout).toMatch(/Engineering\s+direct/);
    expect(groups.stdout).toMatch(/Everyone\s+indirect/);
    const keys = await keyscope(['users', 'keys', ada]);
    expect(keys.code).toBe(0);
    expect(keys.stdout).toMatch(/ada laptop\s+personal\s+\S+\s+active\s+no\s+-\s+ada@example.com/);
    expect(json<{ items: unknown[] }>(await keyscope(['users', 'keys', grace, '--json'])).items).toEqual([]);
  });

  it('passes the server\'s "not found" through, exit 1', async () => {
    const missing = await keyscope(['users', 'get', '00000000-0000-4000-8000-000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('keyscope: 404: User 00000000-0000-4000-8000-000000000000 not found\n');
  });

  it("lists a group's members, users and nested groups", async () => {
    const members = await keyscope(['groups', 'members', engineering]);
    expect(members.code).toBe(0);
    expect(header(members)).toMatch(/^ID\s+TYPE\s+NAME\s+DISPLAY NAME\s+ACTIVE/);
    expect(members.stdout).toMatch(new RegExp(`${ada}\\s+User\\s+ada@example.com\\s+Ada Lovelace\\s+yes`));
  });
});

describe('keyscope groups (local groups)', () => {
  it('creates, renames and deletes a local group', async () => {
    const created = json<{ id: string; source: string }>(
      await keyscope(['groups', 'create', 'Release managers', '--description', 'rotate deploy keys', '--json']),
    );
    expect(created.source).toBe('local');
    const renamed = await keyscope(['groups', 'rename', created.id, 'Release team']);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toMatch(/Release team\s+local/);
    const deleted = await keyscope(['groups', 'delete', created.id]);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(created.id);
    const gone = await keyscope(['groups', 'get', created.id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^keyscope: 404: /);
  });

  it("refuses to rename a group the identity provider owns, with the server's message", async () => {
    const scim = await scimClient(cli.app);
    const idpGroup = await createGroup(scim, 'From the IdP');
    const refused = await keyscope(['groups', 'rename', idpGroup.id, 'Mine now']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^keyscope: 409: .*identity provider/m);
  });
});

describe('keyscope permissions', () => {
  it('lists the permission catalogue and the roles', async () => {
    const table = await keyscope(['permissions']);
    expect(table.code).toBe(0);
    expect(header(table)).toMatch(/^NAME\s+KIND\s+DESCRIPTION/);
    expect(table.stdout).toMatch(/^keys:read\s+permission\s+\S/m);
    expect(table.stdout).toMatch(/^role:\S+\s+role\s+\S/m);
    const catalogue = json<{ permissions: { name: string }[]; roles: unknown[] }>(
      await keyscope(['permissions', '--json']),
    );
    expect(catalogue.permissions.map((p) => p.name)).toContain('org:admin');
    expect(catalogue.roles.length).toBeGreaterThan(0);
  });
});

describe('keyscope keys list and get: kind, SCIM flag, owner, rotation', () => {
  it('shows the kind, the SCIM flag, and a key being replaced with its successor and when it stops', async () => {
    const scimKey = await createKey(cli.app, { name: 'idp provisioning', scim: true, expiration: '30d' });
    const old = await createKey(cli.app, { name: 'graceful', expiration: '30d' });
    const rotated = json<{ key: { id: string } }>(
      await keyscope(['keys', 'rotate', old.id, '--grace', '3600', '--json']),
    );
    const stops = new Date(Date.now() + 3600_000).toISOString().slice(0, 13); // to the hour
    const list = await keyscope(['keys', 'list', '--all']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${scimKey.id}\\s+idp provisioning\\s+service\\s+\\S+\\s+active\\s+yes`));
    const oldRow = list.stdout.split('\n').find((l) => l.startsWith(old.id));
    expect(oldRow).toMatch(/graceful\s+service\s+\S+\s+expiring_soon \(being replaced by /);
    expect(oldRow).toContain(`being replaced by ${rotated.key.id}, stops ${stops.replace('T', ' ')}`);
    const newRow = list.stdout.split('\n').find((l) => l.startsWith(rotated.key.id));
    expect(newRow).toMatch(/graceful\s+service\s+\S+\s+active\s+no/);
    const get = await keyscope(['keys', 'get', old.id]);
    expect(header(get)).toMatch(/^ID\s+NAME\s+KIND\s+KEY\s+STATUS\s+SCIM\s+GROUP\s+OWNER/);
    expect(get.stdout).toContain(
      `expiring_soon (being replaced by graceful (${rotated.key.id}), stops ${stops.replace('T', ' ')}`,
    );
    await keyscope(['keys', 'revoke', old.id]);
    expect((await keyscope(['keys', 'get', old.id])).stdout).not.toContain('being replaced');
  });
});

describe('keyscope audit', () => {
  it('filters by time (--since 1h, ISO 8601 --until) and pages with --all', async () => {
    await keyscope(['groups', 'create', 'audited group']);
    const recent = await keyscope(['audit', '--action', 'group.*', '--since', '1h']);
    expect(recent.code).toBe(0);
    expect(recent.stdout).toMatch(/group\.create/);
    const old = await keyscope(['audit', '--until', '2000-01-01T00:00:00Z']);
    expect(old.stdout).toBe('(none)\n');
    const paged = json<{ items: unknown[]; nextCursor: null }>(
      await keyscope(['audit', '--limit', '1', '--all', '--json']),
    );
    expect(paged.items.length).toBeGreaterThan(1);
    expect(paged.nextCursor).toBeNull();
    const bad = await keyscope(['audit', '--since', 'last tuesday']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^keyscope: 400: .*\n\s+since: /);
  });
});

describe('keyscope org policy', () => {
  afterAll(async () => {
    await keyscope(['org', 'policy', 'set', '--max-keys', '100', '--allow-never', 'yes']);
  });

  it('reads the policy and changes it flag by flag', async () => {
    const get = await keyscope(['org', 'policy', 'get']);
    expect(get.code).toBe(0);
    expect(header(get)).toMatch(/^ORGANIZATION\s+MAX KEYS\s+EXPIRATIONS\s+NEVER\s+SCIM KEY MAX DAYS/);
    const set = await keyscope([
      'org',
      'policy',
      'set',
      '--max-keys',
      '250',
      '--allow-never',
      'no',
      '--max-scim-key-days',
      '365',
      '--json',
    ]);
    expect(set.code).toBe(0);
    expect(json<{ policy: unknown }>(set).policy).toMatchObject({
      maxKeys: 250,
      allowNever: false,
      maxScimKeyLifetimeDays: 365,
    });
    expect((await keyscope(['org', 'policy', 'get'])).stdout).toMatch(/default\s+250\s+\S+\s+no\s+365/);
    const cleared = await keyscope(['org', 'policy', 'set', '--max-scim-key-days', 'none', '--json']);
    expect(json<{ policy: { maxScimKeyLifetimeDays: null } }>(cleared).policy.maxScimKeyLifetimeDays).toBeNull();
  });

  it("lets the server's 400 through, and names a malformed number itself", async () => {
    const bad = await keyscope(['org', 'policy', 'set', '--allowed-expirations', '30d,5d']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^keyscope: 400: /);
    expect(bad.stderr).toMatch(/^\s+allowedExpirations/m);
    const local = await keyscope(['org', 'policy', 'set', '--max-keys', 'lots']);
    expect(local).toEqual({ code: 2, stdout: '', stderr: 'keyscope: --max-keys takes a whole number, got "lots"\n' });
    const nothing = await keyscope(['org', 'policy', 'set']);
    expect(nothing.code).toBe(2);
  });
});

describe('keyscope help', () => {
  it("prints one command's help: usage, flags and an example, and nothing of the other commands", async () => {
    const help = await keyscope(['keys', 'list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: keyscope keys list \[--status S\]/);
    expect(help.stdout).toMatch(/^\s+--owner me\|all\s+\S/m);
    expect(help.stdout).toMatch(/^Example:\n\s+keyscope keys list /m);
    expect(help.stdout).not.toMatch(/keys create|groups|whoami/);
    expect(await keyscope(['help', 'keys', 'list'])).toEqual(help);
    const sub = await keyscope(['org', 'policy', 'set', '-h']);
    expect(sub.stdout).toMatch(/^usage: keyscope org policy set \[--max-keys N\]/);
  });

  it('prints the commands of a group with `keyscope <group> --help`', async () => {
    const help = await keyscope(['users', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: keyscope users list/m);
    expect(help.stdout).toMatch(/^usage: keyscope users keys ID/m);
    expect(help.stdout).not.toMatch(/keys create|groups members/);
  });
});

describe('keyscope usage errors', () => {
  it.each([
    [['keys', 'list', '--foo'], 'keyscope: unknown option --foo for "keys list" (see keyscope keys list --help)'],
    [['users', 'get'], 'keyscope: missing ID for "users get" (see keyscope users get --help)'],
    [['keys', 'create'], 'keyscope: missing --name for "keys create" (see keyscope keys create --help)'],
    [['groups', 'rename', 'x'], 'keyscope: missing NAME for "groups rename" (see keyscope groups rename --help)'],
    [['keys', 'get', 'a', 'b'], 'keyscope: unexpected argument "b" for "keys get" (see keyscope keys get --help)'],
    [['audit', '--since'], 'keyscope: option --since needs a value (WHEN) for "audit" (see keyscope audit --help)'],
    [['users', 'list', '--limit', '0'], 'keyscope: --limit takes a whole number above 0, got "0"'],
    [['users', 'explode'], 'keyscope: unknown command "users explode" (see keyscope users --help)'],
    [['explode'], 'keyscope: unknown command "explode" (see keyscope --help)'],
    [
      ['introspect', 'ksk_AAAAAAAAAAAAAAAA_secret'],
      'keyscope: unexpected argument (a token? it is never an argument: KEYSCOPE_API_KEY, or standard input) for "introspect" (see keyscope introspect --help)',
    ],
  ])('%j: one line on stderr, exit 2, no call made', async (args, message) => {
    // A key that would fail (401) if a call were made: the usage error comes first.
    expect(await keyscope(args, 'not-a-key')).toEqual({ code: 2, stdout: '', stderr: `${message}\n` });
  });
});
