import { cliAgainstRealServer } from './cli-harness.js';

const cli = cliAgainstRealServer();
const { keyscope } = cli;

describe('keyscope roles: the roles an organization defines (issue 13)', () => {
  it('create, list, get, update and delete, with the server refusing what it refuses', async () => {
    const created = await keyscope([
      'roles',
      'create',
      'cli-operator',
      '--permission',
      'keys:read,groups:read',
      '--description',
      'From the CLI',
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('cli-operator');
    expect(created.stdout).toContain('keys:read groups:read');

    const list = await keyscope(['roles', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^admin\s+yes\s+\*/m);
    expect(list.stdout).toMatch(/^cli-operator\s+no\s+keys:read groups:read\s+From the CLI/m);

    const updated = await keyscope(['roles', 'update', 'cli-operator', '--permission', 'audit:read', '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ name: 'cli-operator', permissions: ['audit:read'] });
    expect(JSON.parse((await keyscope(['roles', 'get', 'cli-operator', '--json'])).stdout).description).toBe(
      'From the CLI',
    );

    const noChange = await keyscope(['roles', 'update', 'cli-operator']);
    expect(noChange.code).toBe(2);
    expect(noChange.stderr).toMatch(/give --permission or --description/);

    const missing = await keyscope(['roles', 'create', 'no-permissions']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --permission/);

    const builtin = await keyscope(['roles', 'update', 'admin', '--permission', 'keys:read']);
    expect(builtin.code).toBe(1);
    expect(builtin.stderr).toMatch(/400: admin is a built-in role/);

    const unknown = await keyscope(['roles', 'create', 'typo', '--permission', 'keys:raed']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Unknown permission "keys:raed"/);

    const deleted = await keyscope(['roles', 'delete', 'cli-operator']);
    expect(deleted.code).toBe(0);
    expect((await keyscope(['roles', 'get', 'cli-operator'])).code).toBe(1);
  });
});
