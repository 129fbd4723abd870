import type { Page } from 'playwright-core';
import { createKey, GROUP_SCHEMA, oktaUser, patchOp, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS, waitForRows } from './browser.js';
import { navigateAt390, outlineOf, tabTo } from './keyboard-and-narrow.js';

/**
 * The Users page: the people the identity provider pushed, each with their status (active,
 * inactive, unassigned), found by search, paged, and opened on their groups and personal keys.
 */
describeInBrowser('admin page: users, their status, groups and keys', () => {
  let ui: AdminPage;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
    const scim = await scimClient(ui.app);
    for (const name of ['dana', 'erin', 'frank']) {
      const res = await scim.post('/Users', oktaUser(`${name}@example.com`, { displayName: `${name} Example` }));
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
    expect(
      (await scim.patch(`/Users/${ids.erin}`, patchOp({ op: 'replace', path: 'active', value: false }))).status,
    ).toBe(200);
    expect((await scim.patch(`/Users/${ids.frank}`, patchOp({ op: 'remove', path: 'active' }))).status).toBe(200);
    // Enough people for a second page (50 a page).
    for (let i = 0; i < 50; i++)
      expect((await scim.post('/Users', oktaUser(`zz-filler-${String(i).padStart(2, '0')}@example.com`))).status).toBe(
        201,
      );
    const eng = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      members: [{ value: ids.dana }],
    });
    expect(eng.status).toBe(201);
    ids.engineering = eng.body.id;
    const platform = await scim.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Platform',
      members: [{ value: ids.engineering }],
    });
    expect(platform.status).toBe(201);
    const key = await createKey(ui.app, { name: 'dana laptop', kind: 'personal', ownerUserId: ids.dana });
    ids.danaKey = key.id;
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const usersTable = () => page.getByRole('table', { name: 'Users' });
  const userRow = (userName: string) => page.locator(`tr[data-user-id="${ids[userName.split('@')[0]!]}"]`);

  it(
    'lists people with their status and pages through them',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await waitForRows(page, 50);
      expect(await userRow('dana@example.com').getByText('Active').count()).toBe(1);
      expect(await userRow('erin@example.com').getByText('Inactive').count()).toBe(1);
      expect(await userRow('frank@example.com').getByText('Unassigned').count()).toBe(1);
      expect(await userRow('dana@example.com').locator('td[data-label="Groups"]').innerText()).toBe('Engineering');
      expect(await userRow('erin@example.com').locator('td[data-label="Groups"]').innerText()).toBe('None');
      await shoot(page, 'users');

      await page.getByRole('navigation', { name: 'User pages' }).getByRole('button', { name: 'Next' }).click();
      await waitForRows(page, 3);
      expect(await usersTable().innerText()).toContain('zz-filler-49@example.com');
      await page.getByRole('navigation', { name: 'User pages' }).getByRole('button', { name: 'Previous' }).click();
      await waitForRows(page, 50);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'searches from the keyboard and opens a person on their groups and keys',
    async () => {
      const search = page.getByLabel('Search');
      await page.getByRole('heading', { name: 'Users', level: 1 }).click();
      await tabTo(page, search);
      expect(await outlineOf(search)).toBe('solid');
      await page.keyboard.type('dana');
      await waitForRows(page, 1);
      const link = usersTable().getByRole('link', { name: 'dana@example.com' });
      await tabTo(page, link);
      expect(await outlineOf(link)).toBe('solid');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'dana@example.com', level: 1 }).waitFor();
      const groups = page.getByRole('region', { name: /^Groups/ });
      await groups.getByRole('link', { name: 'Engineering' }).waitFor();
      expect(await groups.innerText()).toMatch(/Platform\s*Nested/);
      const keys = page.getByRole('region', { name: 'Personal keys' });
      await keys.getByRole('link', { name: 'dana laptop' }).waitFor();
      await shoot(page, 'user-detail');

      await keys.getByRole('link', { name: 'dana laptop' }).click();
      await page.getByRole('heading', { name: 'dana laptop', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/ui/keys/${ids.danaKey}`);
      await page.goBack();
      await page.getByRole('heading', { name: 'dana@example.com', level: 1 }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows an unassigned person as such, and a user id that does not exist as an error, not a crash',
    async () => {
      await page.goto(`/ui/users/${ids.frank}`);
      await page.getByRole('heading', { name: 'frank@example.com', level: 1 }).waitFor();
      expect(await page.locator('.page-head').getByText('Unassigned').count()).toBe(1);
      await page.goto('/ui/users/7d3c1a8e-0000-4000-8000-000000000000');
      await page.getByRole('alert').filter({ hasText: 'not found' }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'keeps the navigation usable at 390 pixels, and shows Users only to keys that may read users',
    async () => {
      await page.goto('/ui/keys');
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
      await navigateAt390(page, 'Users', 'Users');

      const { token } = await createKey(ui.app, { name: 'reader', permissions: ['keys:read'] });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, token);
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allInnerTexts()).toEqual(['API Keys']);
    },
    STEP_TIMEOUT_MS,
  );
});
