import type { Locator, Page } from 'playwright-core';
import { openAdminPage, signIn, FULL_TOKEN, type AdminPage } from './admin-page.js';
import { clipboardText, describeInBrowser, pageStorage, shoot, STEP_TIMEOUT_MS, waitForRows } from './browser.js';

/**
 * The API Keys page in Debian's Chromium against a real keyscope (in-process server, real
 * database): sign-in, create with the token shown once, search and filters, edit, rotate, revoke.
 */
describeInBrowser('admin page: API keys', () => {
  let ui: AdminPage;
  let page: Page;
  /** Every token the page showed: none may ever appear in the table or stay on the page. */
  const seenTokens: string[] = [];

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

  const keysTable = () => page.getByRole('table', { name: 'API keys' });
  const keyRow = (name: string) =>
    keysTable()
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader').filter({ hasText: name }) });
  const dialog = (title: string) => page.getByRole('dialog', { name: title });

  async function expectNoTokenOnPage(): Promise<void> {
    const html = await page.content();
    for (const token of seenTokens) expect(html).not.toContain(token);
    expect(await keysTable().innerText()).not.toMatch(FULL_TOKEN);
  }

  /** Opens Create API key, fills what is given, submits, and returns the token it shows once. */
  async function createKey(fill: (form: Locator) => Promise<void>): Promise<string> {
    await page.getByRole('button', { name: 'Create API key' }).click();
    const form = dialog('Create API key');
    await form.getByLabel('Name (required)').waitFor();
    await fill(form);
    await form.getByRole('button', { name: 'Create', exact: true }).click();
    const created = dialog('API key created');
    const token = await created.getByLabel(/^API key for/).inputValue();
    expect(token).toMatch(/^ksk_/);
    seenTokens.push(token);
    return token;
  }

  it(
    'signs in with a pasted key kept in sessionStorage only, and shows the organization and the key',
    async () => {
      await page.goto('/ui/');
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      await shoot(page, 'sign-in');

      await page.getByLabel('API key').fill('ksk_not_a_real_key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#signin-key-error').waitFor();
      expect(await page.locator('#signin-key-error').innerText()).toMatch(/\S/);

      await signIn(page, ui.app.adminToken);
      const who = page.getByTestId('who');
      expect(await who.innerText()).toContain('default');
      expect(await who.innerText()).toContain('Bootstrap admin key');
      expect(await pageStorage(page)).toEqual({ session: [ui.app.adminToken], localCount: 0, cookie: '' });
      expect(await ui.context.cookies()).toEqual([]);

      // A reload stays signed in (same tab); client-side routes are served the page too.
      await page.goto('/ui/groups');
      await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'API Keys' }).click();
      await keyRow('Bootstrap admin key').waitFor();
      await shoot(page, 'api-keys');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'creates a key: server errors sit under their field, the exact expiry shows, the token appears once and copies',
    async () => {
      await page.getByRole('button', { name: 'Create API key' }).click();
      const form = dialog('Create API key');
      await form.getByLabel('Name (required)').fill('deploy bot');
      await form.getByLabel('Description').fill('CI deploys to production');

      // The server refuses a day in the past; its message lands under the date field.
      await form.getByLabel('Expiration', { exact: true }).selectOption('date');
      await form.getByLabel('Expiration date').fill('2020-01-31');
      await form.getByRole('button', { name: 'Create', exact: true }).click();
      const dateError = form.locator('#key-expires-at-error');
      await dateError.waitFor();
      expect(await dateError.innerText()).toBe('Pick a date in the future');
      await shoot(page, 'create-key-error');

      await form.getByLabel('Expiration', { exact: true }).selectOption('90d');
      // Choosing another expiration clears the message about the old one.
      expect(await form.locator('.field-error').count()).toBe(0);
      const in90Days = new Date(Date.now() + 90 * 24 * 3600 * 1000);
      const preview = await form.getByTestId('expiry-preview').innerText();
      expect(preview).toContain(String(in90Days.getFullYear()));
      expect(preview).toContain(in90Days.toLocaleDateString('en-US', { month: 'short' }));
      expect(preview).toContain(`${in90Days.getDate()},`);
      await form.getByLabel('Group').selectOption({ label: 'Admins (local)' });
      await form.getByLabel('Read only').check();
      await shoot(page, 'create-key');
      await form.getByRole('button', { name: 'Create', exact: true }).click();

      const created = dialog('API key created');
      const tokenField = created.getByLabel(/^API key for/);
      const token = await tokenField.inputValue();
      expect(token).toMatch(/^ksk_/);
      seenTokens.push(token);
      expect(await created.innerText()).toMatch(/shown only once/i);
      await created.getByRole('button', { name: 'Copy' }).click();
      await created.getByText('Copied to the clipboard.').waitFor();
      expect(await clipboardText(page)).toBe(token);
      await shoot(page, 'key-shown-once');

      // The key works, as "Read only" over the Admins group.
      const me = await ui.call(token, 'GET', '/me');
      expect(me.status).toBe(200);
      expect((me.body.can as Record<string, boolean>)['keys:read']).toBe(true);
      expect((me.body.can as Record<string, boolean>)['keys:write']).toBe(false);

      await created.getByRole('button', { name: 'Done' }).click();
      await created.waitFor({ state: 'detached' });
      await keyRow('deploy bot').waitFor();
      expect(await keyRow('deploy bot').innerText()).toMatch(/Read only[\s\S]*Active[\s\S]*Admins/);
      await expectNoTokenOnPage();
      expect(await pageStorage(page)).toEqual({ session: [ui.app.adminToken], localCount: 0, cookie: '' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows the SCIM permission to admins and creates the Okta key with it',
    async () => {
      const token = await createKey(async (form) => {
        await form.getByLabel('Name (required)').fill('Okta provisioning');
        await form.getByLabel('Expiration', { exact: true }).selectOption('1y');
        await form.getByLabel('SCIM provisioning').check();
      });
      await dialog('API key created').getByRole('button', { name: 'Close' }).click();
      await keyRow('Okta provisioning').getByText('SCIM').waitFor();
      expect((await ui.call(token, 'GET', '/me')).body.key).toMatchObject({ scim: true });
      const users = await fetch(`${ui.url}/scim/v2/Users`, { headers: { Authorization: `Bearer ${token}` } });
      expect(users.status).toBe(200);
      await expectNoTokenOnPage();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'finds keys by name, description and fragment, and by status',
    async () => {
      const fragment = (await keyRow('Okta provisioning').locator('code.fragment').innerText()).split('…')[0]!;
      const search = page.getByLabel('Search');
      await search.fill('production');
      await waitForRows(page, 1);
      expect(await keysTable().locator('tbody tr').innerText()).toContain('deploy bot');

      await search.fill(fragment);
      await keyRow('Okta provisioning').waitFor();
      await waitForRows(page, 1);
      expect(await keysTable().locator('tbody tr').innerText()).toContain('Okta provisioning');

      await search.fill('no such key anywhere');
      await page.getByText('No keys match these filters.').waitFor();
      await search.fill('');
      await keyRow('Bootstrap admin key').waitFor();

      const status = page.getByLabel('Status');
      await status.selectOption({ label: 'Revoked' });
      await page.getByText('No keys match these filters.').waitFor();
      await status.selectOption({ label: 'Active' });
      await keyRow('deploy bot').waitFor();
      expect(await keysTable().locator('tbody tr').count()).toBe(3);
      await status.selectOption({ label: 'All statuses' });
      await expectNoTokenOnPage();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'edits name and description, with server validation under the field',
    async () => {
      await keyRow('deploy bot').getByRole('button', { name: 'Edit deploy bot' }).click();
      const form = dialog('Edit API key');
      await form.getByLabel('Name (required)').fill('x'.repeat(101));
      await form.getByRole('button', { name: 'Save changes' }).click();
      await form.locator('#edit-name-error').waitFor();
      expect(await form.locator('#edit-name-error').innerText()).toBe('must be at most 100 characters');
      await shoot(page, 'edit-key');

      await form.getByLabel('Name (required)').fill('deploy bot (prod)');
      await form.getByLabel('Description').fill('Deploys main to production');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await form.waitFor({ state: 'detached' });
      await keyRow('deploy bot (prod)').getByText('Deploys main to production').waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'rotates a key: the new token shows once, the old one stops working',
    async () => {
      const before = await ui.call(ui.app.adminToken, 'GET', '/keys?q=deploy');
      const old = (before.body.items as { id: string }[])[0]!;
      const oldToken = seenTokens[0]!;
      expect((await ui.call(oldToken, 'GET', '/me')).status).toBe(200);

      await keyRow('deploy bot (prod)').getByRole('button', { name: 'Rotate deploy bot (prod)' }).click();
      const form = dialog('Rotate API key');
      await form.getByLabel('The old key stops working').selectOption({ label: 'Immediately' });
      await shoot(page, 'rotate-key');
      await form.getByRole('button', { name: 'Rotate key' }).click();
      const rotated = dialog('API key rotated');
      const newToken = await rotated.getByLabel(/^API key for/).inputValue();
      seenTokens.push(newToken);
      expect(newToken).toMatch(/^ksk_/);
      expect(newToken).not.toBe(oldToken);
      await rotated.getByRole('button', { name: 'Done' }).click();
      await rotated.waitFor({ state: 'detached' });

      expect((await ui.call(oldToken, 'GET', '/me')).status).toBe(401);
      expect((await ui.call(newToken, 'GET', '/me')).status).toBe(200);
      const oldRow = page.locator(`tr[data-key-id="${old.id}"]`);
      await oldRow.getByText('Revoked').first().waitFor();
      expect(await oldRow.getByRole('button', { name: /^Edit/ }).isDisabled()).toBe(true);
      await expectNoTokenOnPage();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'revokes a key only after its name is typed',
    async () => {
      const live = page.locator('tbody tr').filter({ hasText: 'deploy bot (prod)' }).filter({ hasText: 'Active' });
      const id = await live.getAttribute('data-key-id');
      const token = seenTokens[seenTokens.length - 1]!;
      await live.getByRole('button', { name: 'Revoke deploy bot (prod)' }).click();
      const form = dialog('Revoke access?');
      const revoke = form.getByRole('button', { name: 'Revoke', exact: true });
      expect(await revoke.isDisabled()).toBe(true);
      await form.getByLabel('Type “deploy bot (prod)” to confirm').fill('deploy bot');
      expect(await revoke.isDisabled()).toBe(true);
      await shoot(page, 'revoke-key');
      await form.getByLabel('Type “deploy bot (prod)” to confirm').fill('deploy bot (prod)');
      await revoke.click();
      await form.waitFor({ state: 'detached' });

      const row = page.locator(`tr[data-key-id="${id}"]`);
      await row.getByText('Revoked').first().waitFor();
      for (const action of ['Edit', 'Rotate', 'Revoke'])
        expect(await row.getByRole('button', { name: new RegExp(`^${action}`) }).isDisabled()).toBe(true);
      expect((await ui.call(token, 'GET', '/me')).body).toMatchObject({ code: 'key_revoked' });

      await page.getByLabel('Status').selectOption({ label: 'Revoked' });
      await waitForRows(page, 2);
      await page.getByLabel('Status').selectOption({ label: 'All statuses' });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'marks keys expiring soon and expired, and offers no edit for expired keys',
    async () => {
      await createKey(async (form) => {
        await form.getByLabel('Name (required)').fill('short lived');
        await form.getByLabel('Expiration', { exact: true }).selectOption('7d');
      });
      await dialog('API key created').getByRole('button', { name: 'Done' }).click();
      await keyRow('short lived').getByText('Expiring soon').waitFor();

      ui.app.clock.advance(8 * 24 * 3600 * 1000);
      await page.reload();
      await keyRow('short lived').getByText('Expired').waitFor();
      expect(await keyRow('short lived').getByRole('button', { name: 'Edit short lived' }).isDisabled()).toBe(true);
      expect(await keyRow('short lived').getByRole('button', { name: 'Rotate short lived' }).isDisabled()).toBe(false);
      await shoot(page, 'api-keys-statuses');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'works from the keyboard: dialogs take focus, Enter submits, Escape closes and focus returns, visibly',
    async () => {
      const isFocused = (locator: Locator) => locator.evaluate((el) => el === el.ownerDocument.activeElement);
      const outlineOf = (locator: Locator) =>
        locator.evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).outlineStyle ?? 'none');

      const create = page.getByRole('button', { name: 'Create API key' });
      await create.focus();
      await page.keyboard.press('Enter');
      const name = dialog('Create API key').getByLabel('Name (required)');
      await name.waitFor();
      expect(await isFocused(name)).toBe(true);
      await page.keyboard.type('keyboard key');
      await page.keyboard.press('Enter');
      const token = dialog('API key created').getByLabel(/^API key for/);
      await token.waitFor();
      expect(await isFocused(token)).toBe(true);
      seenTokens.push(await token.inputValue());

      await page.keyboard.press('Escape');
      await dialog('API key created').waitFor({ state: 'detached' });
      expect(await isFocused(create)).toBe(true);
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Tab');
      expect(await isFocused(create)).toBe(true);
      expect(await outlineOf(create)).toBe('solid');
      await keyRow('keyboard key').waitFor();
      await expectNoTokenOnPage();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'offers My keys / All keys, the SCIM permission and service keys only to keys allowed them',
    async () => {
      // A key another admin made: under All keys with its creator, not under My keys (which holds the signed-in key itself).
      const admins = await ui.call(ui.app.adminToken, 'GET', '/groups?q=Admins&source=local');
      const otherAdmin = await ui.call(ui.app.adminToken, 'POST', '/keys', {
        name: 'other admin',
        groupId: (admins.body.items as { id: string }[])[0]!.id,
      });
      await ui.call(String(otherAdmin.body.token), 'POST', '/keys', { name: 'made by the other admin' });
      await page.getByRole('radio', { name: 'My keys' }).check();
      await keyRow('made by the other admin').waitFor({ state: 'detached' });
      await keyRow('Bootstrap admin key').waitFor();
      expect(await keysTable().getByText(/^by /).count()).toBe(0);
      await page.getByRole('radio', { name: 'All keys' }).check();
      await keyRow('made by the other admin').getByText('by key "other admin"').waitFor();
      await keyRow('Bootstrap admin key').getByText('by keyscope').waitFor();

      // A developer: its own keys only, no SCIM, no service keys.
      const group = await ui.call(ui.app.adminToken, 'POST', '/groups', {
        displayName: 'Developers',
        rules: [{ role: 'developer' }],
      });
      const dev = await ui.call(ui.app.adminToken, 'POST', '/keys', {
        name: 'dev key',
        groupId: group.body.id,
        expiration: '7d',
      });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      expect((await pageStorage(page)).session).toEqual([]);
      await signIn(page, String(dev.body.token));
      expect(await page.getByRole('radio', { name: 'My keys' }).count()).toBe(0);
      await page.getByRole('button', { name: 'Create API key' }).click();
      const form = dialog('Create API key');
      await form.getByLabel('Name (required)').waitFor();
      expect(await form.getByLabel('SCIM provisioning').count()).toBe(0);
      expect(await form.getByLabel('Service key').isDisabled()).toBe(true);
      await form.getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.reload();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'pages through many keys with Next and Previous',
    async () => {
      await signIn(page, ui.app.adminToken);
      for (let i = 1; i <= 21; i++) {
        const res = await ui.call(ui.app.adminToken, 'POST', '/keys', {
          name: `batch job ${String(i).padStart(2, '0')}`,
          expiration: '90d',
        });
        expect(res.status).toBe(201);
      }
      await page.getByLabel('Search').fill('batch job');
      await waitForRows(page, 20);
      const pager = page.getByRole('navigation', { name: 'Key pages' });
      await pager.getByRole('button', { name: 'Next' }).click();
      await waitForRows(page, 1);
      // Newest first: the first key made is the one left for page 2.
      await keyRow('batch job 01').waitFor();
      expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
      await pager.getByRole('button', { name: 'Previous' }).click();
      await waitForRows(page, 20);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'offers impersonation to admins only; such a key carries an Impersonator badge',
    async () => {
      await page.getByLabel('Search').fill('embedding backend');
      const token = await createKey(async (form) => {
        await form.getByLabel('Name (required)').fill('embedding backend');
        await form.getByLabel('Impersonation').check();
      });
      await dialog('API key created').getByRole('button', { name: 'Close' }).click();
      await keyRow('embedding backend').getByText('Impersonator').waitFor();
      expect((await ui.call(token, 'GET', '/me')).body.key).toMatchObject({ impersonation: true });
      await expectNoTokenOnPage();

      // A key manager without keys:impersonate is not offered the toggle.
      const group = await ui.call(ui.app.adminToken, 'POST', '/groups', {
        displayName: 'Key managers',
        rules: [{ role: 'key-manager' }],
      });
      const manager = await ui.call(ui.app.adminToken, 'POST', '/keys', { name: 'manager', groupId: group.body.id });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, String(manager.body.token));
      await page.getByRole('button', { name: 'Create API key' }).click();
      const form = dialog('Create API key');
      await form.getByLabel('Name (required)').waitFor();
      expect(await form.getByLabel('Impersonation').count()).toBe(0);
      await form.getByRole('button', { name: 'Cancel' }).click();
    },
    STEP_TIMEOUT_MS,
  );
});
