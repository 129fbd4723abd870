import type { Page } from 'playwright-core';
import { bearer } from '../support/orgs.js';
import { createKey, GROUP_SCHEMA, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';

/**
 * Issue 13 on the admin page: the Groups page lists the roles rules may name (built-in ones marked),
 * an org:admin defines one (the server's refusal of an unknown permission shown), the rules editor
 * offers it, and deleting it while a group's rule names it shows the server's 409 naming the group.
 */
describeInBrowser('admin page: roles an organization defines', () => {
  let ui: AdminPage;
  let page: Page;
  let groupId: string;
  let keyToken: string;

  beforeAll(async () => {
    ui = await openAdminPage({ KEYSCOPE_PERMISSIONS: 'payments:approve,payments:read' });
    page = ui.page;
    const scim = await scimClient(ui.app);
    const user = (await scim.post('/Users', oktaUser('roles.ui@example.com'))).body.id as string;
    groupId = (
      await scim.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Payments', members: [{ value: user }] })
    ).body.id as string;
    keyToken = (await createKey(ui.app, { name: 'payments key', groupId })).token;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const allowed = async (permission: string) =>
    (await ui.app.http.post('/api/v1/authorize').set(bearer(keyToken)).send({ permission })).body.allowed === true;

  it(
    'defines a role, offers it in the rules editor, and refuses to delete it while a rule names it',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto('/ui/groups');
      const panel = page.getByRole('region', { name: 'Roles' });
      await panel.locator('li[data-role="admin"]').waitFor();
      expect(await panel.locator('li[data-role="admin"]').innerText()).toContain('Built-in');

      await panel.getByLabel('Name (required)').fill('payments-operator');
      await panel.getByLabel('Permissions (required)').fill('payments:approve, payments:aprove');
      await panel.getByRole('button', { name: 'Define role' }).click();
      await panel.getByRole('alert').filter({ hasText: 'Unknown permission "payments:aprove"' }).waitFor();
      await panel.getByLabel('Permissions (required)').fill('payments:approve payments:read');
      await panel.getByLabel('Description').fill('Approves payments');
      await panel.getByRole('button', { name: 'Define role' }).click();
      const line = panel.locator('li[data-role="payments-operator"]');
      await line.waitFor();
      expect(await line.innerText()).toContain('payments:approve, payments:read');
      await shoot(page, 'roles');

      await page.goto(`/ui/groups/${groupId}`);
      const rules = page.getByRole('region', { name: 'Rules' });
      await rules.getByRole('button', { name: 'Add rule' }).click();
      await rules.getByLabel('Grants').selectOption('role');
      await rules.getByLabel('Role').selectOption('payments-operator');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await allowed('payments:approve')).toBe(true);

      await page.goto('/ui/groups');
      const again = page.getByRole('region', { name: 'Roles' }).locator('li[data-role="payments-operator"]');
      await again.getByRole('button', { name: 'Delete payments-operator' }).click();
      await again
        .getByRole('alert')
        .filter({ hasText: /"Payments"/ })
        .waitFor();
      expect(await allowed('payments:approve')).toBe(true);

      expect(
        (await ui.app.http.put(`/api/v1/groups/${groupId}/rules`).set(bearer(ui.app.adminToken)).send({ rules: [] }))
          .status,
      ).toBe(200);
      await again.getByRole('button', { name: 'Delete payments-operator' }).click();
      await page.locator('li[data-role="payments-operator"]').waitFor({ state: 'detached' });
    },
    STEP_TIMEOUT_MS,
  );
});
