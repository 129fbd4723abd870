import path from 'node:path';
import { BIN, cliAgainstRealServer, run } from './cli-harness.js';

const cli = cliAgainstRealServer();
const keyscope = cli.keyscope;

describe('keyscope CLI', () => {
  it('creates a key, prints the token once with a warning, and the JSON form for scripts', async () => {
    const human = await keyscope([
      'keys',
      'create',
      '--name',
      'deploy bot',
      '--expiration',
      '90d',
      '--description',
      'CI',
    ]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/deploy bot/);
    expect(human.stdout).toMatch(/^\s+ksk_[0-9A-Za-z_]+$/m);
    expect(human.stderr).toMatch(/shown once/);
    const json = await keyscope(['keys', 'create', '--name', 'script bot', '--json']);
    const parsed = JSON.parse(json.stdout) as { token: string; key: { id: string; name: string } };
    expect(parsed.token).toMatch(/^ksk_/);
    expect(parsed.key.name).toBe('script bot');
  });

  it('lists keys as a table and as JSON, without tokens', async () => {
    const table = await keyscope(['keys', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+KEY\s+STATUS\s+SCIM\s+GROUP\s+OWNER/);
    expect(table.stdout).toContain('deploy bot');
    expect(table.stdout).not.toMatch(/ksk_[0-9A-Za-z]{16}_/);
    const json = JSON.parse((await keyscope(['keys', 'list', '--json', '--search', 'script'])).stdout) as {
      items: { name: string }[];
    };
    expect(json.items.map((k) => k.name)).toEqual(['script bot']);
  });

  it('gets, updates, rotates and revokes a key', async () => {
    const created = JSON.parse((await keyscope(['keys', 'create', '--name', 'lifecycle', '--json'])).stdout) as {
      token: string;
      key: { id: string };
    };
    const id = created.key.id;
    expect((await keyscope(['keys', 'get', id])).stdout).toContain('lifecycle');
    expect((await keyscope(['keys', 'update', id, '--name', 'renamed'])).stdout).toContain('renamed');
    const rotated = await keyscope(['keys', 'rotate', id, '--json']);
    const newKey = JSON.parse(rotated.stdout) as { token: string; key: { id: string; rotatedFrom: string } };
    expect(newKey.key.rotatedFrom).toBe(id);
    const revoked = await keyscope(['keys', 'revoke', newKey.key.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain('revoked');
  });

  it('sets group rules and lists groups', async () => {
    const group = await cli.app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${cli.app.adminToken}`)
      .send({ displayName: 'CLI group' });
    const set = await keyscope([
      'groups',
      'rules',
      'set',
      group.body.id,
      '--permission',
      'keys:read',
      '--role',
      'viewer@r1,r2',
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('keys:read role:viewer@r1,r2');
    const list = await keyscope(['groups', 'list']);
    expect(list.stdout).toMatch(/CLI group\s+local/);
    const get = await keyscope(['groups', 'get', group.body.id]);
    expect(get.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+SOURCE\s+MEMBERS\s+KEYS\s+RULES/);
    expect(get.stdout).toContain('keys:read role:viewer@r1,r2');
    expect(JSON.parse((await keyscope(['groups', 'get', group.body.id, '--json'])).stdout).displayName).toBe(
      'CLI group',
    );
  });

  it('says who the key is, as a table for people and as JSON for scripts', async () => {
    const table = await keyscope(['whoami']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ORGANIZATION\s+KEY\s+KIND\s+STATUS\s+GROUP/);
    expect(table.stdout).toMatch(/default\s+.*service\s+active\s+Admins/);
    const json = JSON.parse((await keyscope(['whoami', '--json'])).stdout) as {
      organization: { name: string };
      can: Record<string, boolean>;
    };
    expect(json).toMatchObject({ organization: { name: 'default' }, can: { 'org:admin': true } });
  });

  it('asks whether its key may do something: exit 0 allowed, 3 denied, 1 for an unknown permission', async () => {
    const allowed = await keyscope(['authorize', 'keys:manage']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout.split('\n')[0]).toMatch(/^PERMISSION\s+RESOURCE\s+ALLOWED\s+REASON/);
    expect(allowed.stdout).toMatch(/keys:manage\s+-\s+yes/);
    const reader = JSON.parse(
      (await keyscope(['keys', 'create', '--name', 'cli reader', '--permissions', 'keys:read', '--json'])).stdout,
    ) as { token: string };
    const denied = await keyscope(['authorize', 'audit:read', '--resource', 'r1', '--json'], reader.token);
    expect(denied.code).toBe(3);
    expect(JSON.parse(denied.stdout)).toEqual({ allowed: false, reason: expect.stringContaining('audit:read') });
    const unknown = await keyscope(['authorize', 'projcts:read'], reader.token);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^keyscope: 400: Unknown permission "projcts:read"/m);
    expect(unknown.stderr).toMatch(/^\s+permission: /m);
  });

  it('introspects the token it reads on standard input, never from its arguments', async () => {
    const created = JSON.parse((await keyscope(['keys', 'create', '--name', 'inspected', '--json'])).stdout) as {
      token: string;
      key: { id: string };
    };
    const active = await keyscope(['introspect'], cli.app.adminToken, created.token);
    expect(active.code).toBe(0);
    expect(active.stdout.split('\n')[0]).toMatch(/^ACTIVE\s+KEY\s+KIND\s+STATUS/);
    expect(active.stdout).toMatch(new RegExp(`yes\\s+inspected \\(${created.key.id}\\)\\s+service\\s+active`));
    const json = JSON.parse(
      (await keyscope(['introspect', '--json'], cli.app.adminToken, `${created.token}\n`)).stdout,
    );
    expect(json).toMatchObject({ active: true, client_id: created.key.id });
    await keyscope(['keys', 'revoke', created.key.id]);
    const inactive = await keyscope(['introspect', '--json'], cli.app.adminToken, created.token);
    expect(inactive.code).toBe(3);
    expect(JSON.parse(inactive.stdout)).toEqual({ active: false });
    const noToken = await keyscope(['introspect'], cli.app.adminToken, '');
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/standard input/);
  });

  it('creates an organization and reads the audit log', async () => {
    const org = JSON.parse((await keyscope(['orgs', 'create', 'cli-org', '--json'])).stdout) as {
      organization: { name: string };
      token: string;
    };
    expect(org.organization.name).toBe('cli-org');
    const audit = await keyscope(['audit', '--action', 'org.create']);
    expect(audit.stdout).toMatch(/org\.create/);
  });

  it('exits non-zero with the server message and the fields to fix', async () => {
    const bad = await keyscope(['keys', 'create', '--name', 'x', '--expiration', '5d']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^keyscope: 400: .*expiration/m);
    expect(bad.stderr).toMatch(/^\s+expiration: /m);
    const unauthorized = await keyscope(['keys', 'list'], 'not-a-key');
    expect(unauthorized.code).toBe(1);
    expect(unauthorized.stderr).toMatch(/401: invalid_token/);
    const usage = await keyscope(['keys', 'explode']);
    expect(usage.code).toBe(2);
  });

  it('says how to fix a missing key or an unreachable server', async () => {
    const noKey = await keyscope(['keys', 'list'], '');
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/KEYSCOPE_API_KEY is not set/);
    const { stderr, code } = await run(process.execPath, [BIN, 'keys', 'list'], {
      env: { ...process.env, KEYSCOPE_URL: 'http://127.0.0.1:9', KEYSCOPE_API_KEY: 'x' },
    }).then(
      () => ({ stderr: '', code: 0 }),
      (e: { stderr: string; code: number }) => e,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach keyscope/);
  });
});

describe('keyscope migrate and bootstrap (on the database itself)', () => {
  it('migrates and bootstraps an empty embedded database once, printing the admin key once', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'keyscope-cli-'));
    const env = { ...process.env, DATABASE_URL: '', DATA_DIR: dir, BCRYPT_COST: '4', NODE_OPTIONS: '' };
    try {
      const migrated = await run(process.execPath, [BIN, 'migrate'], { env });
      expect(migrated.stdout).toContain('001_init');
      expect((await run(process.execPath, [BIN, 'migrate'], { env })).stdout).toContain('already up to date');
      const boot = await run(process.execPath, [BIN, 'bootstrap'], { env });
      expect(boot.stdout).toMatch(/created organization "default"/);
      expect(boot.stdout).toMatch(/ksk_[0-9A-Za-z]{16}_/);
      const again = await run(process.execPath, [BIN, 'bootstrap'], { env });
      expect(again.stdout).not.toMatch(/ksk_/);
      expect(again.stderr).toMatch(/already bootstrapped/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
