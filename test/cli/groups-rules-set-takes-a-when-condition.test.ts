import { cliAgainstRealServer } from './cli-harness.js';

const cli = cliAgainstRealServer();
const { keyscope } = cli;

describe('keyscope groups rules set: a rule may end in " when FILTER" (issue 13)', () => {
  it('sets conditional rules next to plain ones and shows them', async () => {
    const group = await cli.app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${cli.app.adminToken}`)
      .send({ displayName: 'CLI conditional' });
    const set = await keyscope([
      'groups',
      'rules',
      'set',
      group.body.id,
      '--permission',
      'keys:read',
      '--permission',
      'users:read@dir-a when title eq "Lead"',
      '--role',
      'viewer when urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Payments"',
    ]);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('users:read@dir-a when (title eq "Lead")');
    const json = JSON.parse((await keyscope(['groups', 'get', group.body.id, '--json'])).stdout);
    expect(json.rules).toEqual([
      { permission: 'keys:read' },
      { permission: 'users:read', resources: ['dir-a'], when: 'title eq "Lead"' },
      {
        role: 'viewer',
        when: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Payments"',
      },
    ]);
  });

  it('an invalid condition exits 1 with the server message naming the rule', async () => {
    const group = await cli.app.http
      .post('/api/v1/groups')
      .set('Authorization', `Bearer ${cli.app.adminToken}`)
      .send({ displayName: 'CLI bad condition' });
    const bad = await keyscope([
      'groups',
      'rules',
      'set',
      group.body.id,
      '--permission',
      'keys:read when shoeSize eq 9',
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/400: rules\[0\]\.when is not a condition on the user: "shoeSize" is not an attribute/);
  });
});
