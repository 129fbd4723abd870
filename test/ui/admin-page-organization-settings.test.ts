import type { Page } from 'playwright-core';
import { createKey } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';
import { isFocused, navigateAt390, outlineOf, tabTo } from './keyboard-and-narrow.js';

/**
 * The Organization settings page: the key policy saved with the server's field errors next to
 * the fields, from the keyboard too; the sign-in and self-service parts stay out of the way
 * while this keyscope does not offer them (GET .../sso answers 404, the policy has no selfServiceKeys).
 */
describeInBrowser('admin page: organization settings', () => {
  let ui: AdminPage;
  let page: Page;

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const policy = async () => (await ui.call(ui.app.adminToken, 'GET', '/organizations/current')).body.policy;

  it(
    'shows the key policy as it is, with the sign-in section (off) and the self-service switch',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Organization settings', level: 1 }).waitFor();
      await page.getByRole('heading', { name: 'Key policy' }).waitFor();
      expect(await page.getByLabel('Most keys').inputValue()).toBe('100');
      expect(await page.getByLabel('Keys may never expire').isChecked()).toBe(true);
      for (const preset of ['7 days', '30 days', '1 year', 'Never'])
        expect(await page.getByLabel(preset, { exact: true }).isChecked()).toBe(true);
      expect(await page.getByLabel('Longest SCIM key lifetime (days)').inputValue()).toBe('');
      // Sign-in is not configured yet: the section says so (no error); self-service is on by default.
      await page
        .getByRole('region', { name: 'Sign-in' })
        .getByText('Sign-in with an identity provider is off')
        .waitFor();
      expect(
        await page.getByRole('switch', { name: 'People may create and manage their own personal keys' }).isChecked(),
      ).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);
      await shoot(page, 'organization-settings');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'places the server’s field errors next to the fields, focuses the first, and saves nothing',
    async () => {
      await page.getByLabel('Most keys').fill('0');
      for (const preset of ['7d', '30d', '60d', '90d', '180d', '1y', 'never'])
        await page.locator(`#policy-expiration-${preset}`).uncheck();
      await page.getByRole('button', { name: 'Save policy' }).click();
      const maxKeysError = page.locator('#policy-max-keys-error');
      await maxKeysError.waitFor();
      expect(await maxKeysError.innerText()).toMatch(/1/);
      expect(await page.locator('#policy-expirations-error').innerText()).toMatch(/\S/);
      expect(await isFocused(page.getByLabel('Most keys'))).toBe(true);
      expect(await page.getByLabel('Most keys').getAttribute('aria-invalid')).toBe('true');
      await shoot(page, 'organization-settings-errors');
      expect(await policy()).toMatchObject({ maxKeys: 100 });

      // Editing a field takes its message away.
      await page.getByLabel('Most keys').fill('25');
      expect(await maxKeysError.count()).toBe(0);
      await page.getByLabel('Most keys').fill('1000000');
      await page.locator('#policy-expiration-90d').check();
      await page.getByRole('button', { name: 'Save policy' }).click();
      await maxKeysError.waitFor();
      expect(await page.locator('#policy-expirations-error').count()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'saves the policy from the keyboard: Tab reaches Save policy, visibly, and Enter saves',
    async () => {
      const maxKeys = page.getByLabel('Most keys');
      await maxKeys.fill('');
      await maxKeys.focus();
      await page.keyboard.type('25');
      await tabTo(page, page.getByLabel('Longest SCIM key lifetime (days)'));
      await page.keyboard.type('30');
      const save = page.getByRole('button', { name: 'Save policy' });
      await tabTo(page, save);
      expect(await outlineOf(save)).toBe('solid');
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
      expect(await policy()).toMatchObject({
        maxKeys: 25,
        allowedExpirations: ['90d'],
        maxScimKeyLifetimeDays: 30,
      });

      // The saved policy holds on a reload; clearing the SCIM cap saves null.
      await page.reload();
      await page.getByRole('heading', { name: 'Key policy' }).waitFor();
      expect(await page.getByLabel('Most keys').inputValue()).toBe('25');
      await page.getByLabel('Longest SCIM key lifetime (days)').fill('');
      for (const preset of ['30d', 'never']) await page.locator(`#policy-expiration-${preset}`).check();
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
      expect(await policy()).toMatchObject({
        maxScimKeyLifetimeDays: null,
        allowedExpirations: ['30d', '90d', 'never'],
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'keeps the navigation usable at 390 pixels, and shows a key without org:admin no Settings and no Save',
    async () => {
      await page.goto('/ui/keys');
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
      await navigateAt390(page, 'Settings', 'Organization settings');

      const admins = await ui.call(ui.app.adminToken, 'GET', '/groups?q=Admins&source=local');
      const groupId = (admins.body.items as { id: string }[])[0]!.id;
      const { token } = await createKey(ui.app, { name: 'reader', groupId, permissions: ['keys:read'] });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, token);
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count()).toBe(
        0,
      );
      await page.goto('/ui/settings');
      await page.getByRole('heading', { name: 'Key policy' }).waitFor();
      expect(await page.getByLabel('Most keys').isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Save policy' }).count()).toBe(0);
      await page.getByText('Changing the policy needs the org:admin permission.').waitFor();
    },
    STEP_TIMEOUT_MS,
  );
});
