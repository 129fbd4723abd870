import type { Page } from 'playwright-core';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';
import { outlineOf, tabTo } from './keyboard-and-narrow.js';

/**
 * A key's own page: who made it, where its rights come from, its flags and dates, and its place
 * in a rotation. A key rotated with a grace period says which key replaces it and when it stops,
 * here and in the keys table, instead of looking live.
 */
describeInBrowser('admin page: key detail and rotation lineage', () => {
  let ui: AdminPage;
  let page: Page;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
    const scim = await scimClient(ui.app);
    const dana = await scim.post('/Users', oktaUser('dana@example.com'));
    expect(dana.status).toBe(201);
    ids.dana = dana.body.id;
    const admins = await ui.call(ui.app.adminToken, 'GET', '/groups?q=Admins&source=local');
    ids.admins = (admins.body.items as { id: string }[])[0]!.id;
    const deploy = { name: 'deploy bot', description: 'CI deploys', groupId: ids.admins, permissions: ['keys:read'] };
    ids.deploy = (await createKey(ui.app, deploy)).id;
    ids.personal = (await createKey(ui.app, { name: 'dana laptop', kind: 'personal', ownerUserId: ids.dana })).id;
    ids.scim = (await createKey(ui.app, { name: 'okta push', scim: true, expiration: '90d' })).id;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const row = (id: string) => page.locator(`tr[data-key-id="${id}"]`);
  const fact = (term: string) =>
    page
      .locator('.fact')
      .filter({ has: page.locator('dt', { hasText: term }) })
      .locator('dd');

  it(
    'opens a key from the keys table with the keyboard and shows its creator, group, permissions, kind and dates',
    async () => {
      await signIn(page, ui.app.adminToken);
      const link = row(ids.deploy!).getByRole('link', { name: 'deploy bot' });
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).click();
      await tabTo(page, link, 80);
      expect(await outlineOf(link)).toBe('solid');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'deploy bot', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/ui/keys/${ids.deploy}`);
      expect(await fact('Kind').innerText()).toBe('Service key');
      await fact('Group').getByRole('link', { name: 'Admins' }).waitFor();
      expect(await fact('Created').innerText()).toContain('Bootstrap admin key');
      expect(await fact('SCIM provisioning').innerText()).toBe('No');
      expect(await fact('Last used').innerText()).toBe('Never');
      expect(await fact('Expires').innerText()).not.toBe('Never');
      const permissions = page.getByRole('region', { name: 'Permissions' });
      expect(await permissions.getByRole('listitem').allInnerTexts()).toEqual(['keys:read']);
      expect(await page.getByText('CI deploys').count()).toBe(1);
      await shoot(page, 'key-detail');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows a personal key with its owner, a SCIM key with its flag, and that an unrestricted key holds what its owner holds',
    async () => {
      await page.goto(`/ui/keys/${ids.personal}`);
      await page.getByRole('heading', { name: 'dana laptop', level: 1 }).waitFor();
      expect(await fact('Kind').innerText()).toBe('Personal key');
      await fact('Owner').getByRole('link', { name: 'dana@example.com' }).waitFor();
      expect(await page.getByRole('region', { name: 'Permissions' }).innerText()).toContain(
        'Everything its owner may do',
      );

      await page.goto(`/ui/keys/${ids.scim}`);
      await page.getByRole('heading', { name: 'okta push', level: 1 }).waitFor();
      expect(await fact('SCIM provisioning').innerText()).toMatch(/^Yes/);
      expect(await page.getByRole('region', { name: 'Permissions' }).innerText()).toContain(
        'None outside /scim/v2: a service key without a group holds no permissions.',
      );
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'marks a key rotated with a grace period as being replaced, naming the new key and when the old one stops',
    async () => {
      const rotated = await ui.call(ui.app.adminToken, 'POST', `/keys/${ids.deploy}/rotate`, {
        gracePeriodSeconds: 3600,
      });
      expect(rotated.status).toBe(201);
      const successor = (rotated.body.key as { id: string }).id;

      await page.goto('/ui/keys');
      const old = row(ids.deploy!);
      await old.getByText('Being replaced').waitFor();
      expect(await old.getByText(/^Stops /).count()).toBe(1);
      expect(await old.getByRole('button', { name: 'Rotate deploy bot' }).isDisabled()).toBe(true);
      expect(await row(successor).getByText('Being replaced').count()).toBe(0);
      await shoot(page, 'keys-being-replaced');

      await old.getByRole('link', { name: 'deploy bot' }).click();
      await page.getByRole('heading', { name: 'deploy bot', level: 1 }).waitFor();
      const notice = page.getByRole('status').filter({ hasText: 'Replaced by' });
      expect(await notice.innerText()).toMatch(
        /^Replaced by deploy bot — stops working at .+ \(in (60 minutes|1 hour)\)/,
      );
      expect(await page.locator('.page-head').getByText('Being replaced').count()).toBe(1);
      expect(await page.locator('.page-head').getByText('Active').count()).toBe(0);
      await shoot(page, 'key-detail-being-replaced');

      await notice.getByRole('link', { name: 'deploy bot' }).click();
      await page.waitForURL(`**/ui/keys/${successor}`);
      await fact('Replaces').getByRole('link').click();
      await page.waitForURL(`**/ui/keys/${ids.deploy}`);
      await page.getByRole('status').filter({ hasText: 'Replaced by' }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'says a key rotated at once stopped working, and shows when a key was last used',
    async () => {
      const { id, token } = await createKey(ui.app, { name: 'cron job', permissions: ['keys:read'] });
      expect((await ui.call(token, 'GET', '/me')).status).toBe(200);
      // Last use is written behind the request: wait until the API reports it.
      for (let tries = 0; !(await ui.call(ui.app.adminToken, 'GET', `/keys/${id}`)).body.lastUsedAt; tries++) {
        expect(tries).toBeLessThan(200);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      const rotated = await ui.call(ui.app.adminToken, 'POST', `/keys/${id}/rotate`, { gracePeriodSeconds: 0 });
      expect(rotated.status).toBe(201);
      await page.goto(`/ui/keys/${id}`);
      await page.getByRole('heading', { name: 'cron job', level: 1 }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'Replaced by' }).innerText()).toMatch(
        /^Replaced by cron job — stopped working at /,
      );
      expect(await page.locator('.page-head').getByText('Revoked').count()).toBe(1);
      expect(await fact('Last used').innerText()).toMatch(/\d/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'answers an unknown key with a message, not a crash',
    async () => {
      await page.goto('/ui/keys/not-a-key');
      await page.getByRole('heading', { name: 'API key', level: 1 }).waitFor();
      await page.getByRole('alert').waitFor();
    },
    STEP_TIMEOUT_MS,
  );
});
