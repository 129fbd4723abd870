import { startTestApp } from '../support/test-app.js';

describe('the bootstrap admin key (BOOTSTRAP_ADMIN_KEY)', () => {
  it('is the admin key of organization default, with orgs:create and no SCIM flag, stored only as a hash', async () => {
    const value = 'automation-supplied-admin-key-0123456789';
    const app = await startTestApp({ env: { BOOTSTRAP_ADMIN_KEY: value } });
    try {
      const me = await app.http.get('/api/v1/me').set('Authorization', `Bearer ${value}`);
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        organization: { name: 'default' },
        key: { kind: 'service', scim: false },
        group: { name: 'Admins' },
      });
      expect(me.body.can).toMatchObject({ 'org:admin': true, 'orgs:create': true });
      const rows = await app.db.query<{ secret_hash: string; fragment: string }>(
        'SELECT secret_hash, fragment FROM api_keys WHERE bootstrap',
      );
      expect(rows.rows).toHaveLength(1);
      expect(JSON.stringify(rows.rows)).not.toContain(value.slice(0, 20));
      expect(rows.rows[0]!.fragment).toBe(`…${value.slice(-4)}`);
    } finally {
      await app.close();
    }
  });

  it('counts every character, also beyond the 72 bytes bcrypt reads', async () => {
    const value = `${'x'.repeat(72)}-the-real-ending`;
    const app = await startTestApp({ env: { BOOTSTRAP_ADMIN_KEY: value } });
    try {
      expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${value}`)).status).toBe(200);
      const sameStart = `${'x'.repeat(72)}-another-ending`;
      expect((await app.http.get('/api/v1/me').set('Authorization', `Bearer ${sameStart}`)).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
