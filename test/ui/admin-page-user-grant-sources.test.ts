import type { Page } from 'playwright-core';
import { bearer } from '../support/orgs.js';
import { GROUP_SCHEMA, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, NARROW, shoot, STEP_TIMEOUT_MS, WIDE } from './browser.js';

/**
 * Issue 13 on the admin page: a person's page lists each permission they hold with where it comes
 * from (a group's rule, through which of their own groups when nested, the rule's role; an identity
 * provider role or entitlement; a conditional rule and whether it holds), the conditional rules that
 * do not hold, and what the identity provider assigned with whether it grants.
 */
describeInBrowser('admin page: where a person’s permissions come from', () => {
  let ui: AdminPage;
  let page: Page;
  let userId: string;

  beforeAll(async () => {
    ui = await openAdminPage({ KEYSCOPE_PERMISSIONS: 'payments:approve' });
    page = ui.page;
    const scim = await scimClient(ui.app);
    const admin = bearer(ui.app.adminToken);
    userId = (
      await scim.post(
        '/Users',
        oktaUser('gina@example.com', {
          title: 'Lead',
          roles: [{ value: 'payments-operator' }, { value: 'Ghost' }],
          entitlements: [{ value: 'keys:introspect' }],
        }),
      )
    ).body.id as string;
    const team = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Team',
      members: [{ value: userId }],
    });
    const division = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Division',
      members: [{ value: team.body.id }],
    });
    expect(
      (
        await ui.app.http
          .post('/api/v1/roles')
          .set(admin)
          .send({ name: 'payments-operator', permissions: ['payments:approve'] })
      ).status,
    ).toBe(201);
    const put = (id: string, rules: unknown[]) =>
      ui.app.http.put(`/api/v1/groups/${id}/rules`).set(admin).send({ rules });
    expect(
      (
        await put(team.body.id, [
          { permission: 'keys:read' },
          { permission: 'audit:read', when: 'title eq "Lead"' },
          { permission: 'groups:write', when: 'title eq "Intern"' },
        ])
      ).status,
    ).toBe(200);
    expect((await put(division.body.id, [{ role: 'viewer' }])).status).toBe(200);
    expect((await ui.app.http.patch('/api/v1/organizations/current').set(admin).send({ idpRoles: true })).status).toBe(
      200,
    );
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const line = (permission: string) =>
    page.getByRole('list', { name: 'Granted' }).locator(`li[data-permission="${permission}"]`);

  it(
    'lists each permission with its source, the conditions that do not hold, and the assignments',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto(`/ui/users/${userId}`);
      await page.getByRole('heading', { name: 'gina@example.com', level: 1 }).waitFor();
      const panel = page.getByRole('region', { name: 'Permissions and where they come from' });
      await panel.waitFor();
      expect(await line('keys:read').innerText()).toBe('keys:read from group Team');
      expect(await line('*:read').innerText()).toBe('*:read from group Division (role viewer) (nested: through Team)');
      expect(await line('audit:read').innerText()).toBe('audit:read from group Team when title eq "Lead" Holds');
      expect(await line('payments:approve').innerText()).toBe(
        'payments:approve from identity provider role payments-operator',
      );
      expect(await line('keys:introspect').innerText()).toBe(
        'keys:introspect from identity provider entitlement keys:introspect',
      );
      const notMet = page.getByRole('list', { name: 'Conditions not met' });
      expect(await notMet.innerText()).toBe('groups:write from group Team when title eq "Intern" Does not hold');
      const assigned = await page.getByRole('list', { name: 'Assigned by the identity provider' }).innerText();
      expect(assigned).toContain('Role payments-operator Grants');
      expect(assigned).toContain('Role Ghost Unknown: grants nothing');
      expect(assigned).toContain('Entitlement keys:introspect Grants');
      await shoot(page, 'user-grant-sources');

      await line('*:read').getByRole('link', { name: 'Division' }).click();
      await page.getByRole('heading', { name: 'Division', level: 1 }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'gina@example.com', level: 1 }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'stays readable at 390 pixels',
    async () => {
      await page.setViewportSize(NARROW);
      try {
        await page.goto(`/ui/users/${userId}`);
        const panel = page.getByRole('region', { name: 'Permissions and where they come from' });
        await panel.waitFor();
        const box = await panel.boundingBox();
        expect(Math.ceil(box!.x + box!.width)).toBeLessThanOrEqual(NARROW.width);
      } finally {
        await page.setViewportSize(WIDE);
      }
    },
    STEP_TIMEOUT_MS,
  );
});
