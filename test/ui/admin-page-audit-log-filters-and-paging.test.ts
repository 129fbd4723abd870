import type { Page } from 'playwright-core';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS, waitForRows } from './browser.js';
import { navigateAt390, outlineOf, tabTo } from './keyboard-and-narrow.js';

// The browser globals the page functions below touch (the tests compile without the DOM library).
declare const document: {
  querySelectorAll(selector: string): { length: number; [index: number]: { textContent: string | null } };
};

/** A date as a datetime-local field takes it, in the time zone the browser shares with this process. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * The Audit log page: newest first, filtered by action (a family with `key.*`), actor, target and
 * a time range, paged, operated from the keyboard, with the server's field errors placed on the
 * filter they concern.
 */
describeInBrowser('admin page: audit log filters and paging', () => {
  let ui: AdminPage;
  let page: Page;
  let otherKey: string;
  let groupId: string;

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
    const scim = await scimClient(ui.app);
    // 51 user.create events: more than one page (50 a page).
    for (let i = 0; i < 51; i++)
      expect((await scim.post('/Users', oktaUser(`person-${String(i).padStart(2, '0')}@example.com`))).status).toBe(
        201,
      );
    const admins = await ui.call(ui.app.adminToken, 'GET', '/groups?q=Admins&source=local');
    groupId = (admins.body.items as { id: string }[])[0]!.id;
    const other = await createKey(ui.app, { name: 'other admin key', groupId, expiration: 'never' });
    otherKey = other.id;
    await createKey(ui.app, { name: 'made by the other key' }, other.token);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const table = () => page.getByRole('table', { name: 'Audit events' });
  const column = (label: string) => table().locator(`tbody td[data-label="${label}"]`).allInnerTexts();

  it(
    'shows the newest events first and pages through the rest',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await waitForRows(page, 50);
      const actions = await column('Action');
      expect(actions[0]).toBe('key.create');
      expect(actions.filter((a) => a === 'user.create').length).toBeGreaterThan(40);
      await shoot(page, 'audit-log');

      const pager = page.getByRole('navigation', { name: 'Audit log pages' });
      await pager.getByRole('button', { name: 'Next' }).click();
      await pager.getByText('Page 2').waitFor();
      expect((await column('Action')).length).toBeGreaterThan(0);
      await pager.getByRole('button', { name: 'Previous' }).click();
      await waitForRows(page, 50);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'filters by an action family from the keyboard: Tab reaches every filter and the button, Enter applies',
    async () => {
      const action = page.getByLabel('Action');
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).click();
      await tabTo(page, action);
      expect(await outlineOf(action)).toBe('solid');
      await page.keyboard.type('key.*');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('tbody td[data-label="Action"]')).every((td) =>
          td.textContent?.startsWith('key.'),
        ),
      );
      const actions = await column('Action');
      expect(new Set(actions)).toEqual(new Set(['key.create']));

      for (const label of ['Actor', 'Target', 'From', 'Until'])
        await tabTo(page, page.getByLabel(label, { exact: true }));
      const apply = page.getByRole('button', { name: 'Apply filters' });
      await tabTo(page, apply);
      expect(await outlineOf(apply)).toBe('solid');
      await page.keyboard.press('Enter');
      await table().waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'filters by actor from an event, and by target through the key it names',
    async () => {
      const row = table().locator('tbody tr').filter({ hasText: 'made by the other key' }).first();
      await row.getByRole('button', { name: 'key "other admin key"' }).click();
      await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1);
      expect(await page.getByLabel('Actor').inputValue()).toBe(`key:${otherKey}`);
      expect(await column('Actor')).toEqual(['key "other admin key"']);

      await page.getByRole('button', { name: 'Clear' }).click();
      await waitForRows(page, 50);
      await page.getByLabel('Target').fill(`key:${otherKey}`);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitForRows(page, 1);
      await table()
        .getByRole('link', { name: `key:${otherKey}` })
        .click();
      await page.getByRole('heading', { name: 'other admin key', level: 1 }).waitFor();
      await page.goBack();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'filters by time: a range before everything is empty, a range around now holds the events',
    async () => {
      // Back from the key's page, the log starts again unfiltered.
      await waitForRows(page, 50);
      const hour = 3600_000;
      await page.getByLabel('Until').fill(localInput(new Date(Date.now() - 24 * hour)));
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.getByText('No events match these filters.').waitFor();

      await page.getByLabel('From').fill(localInput(new Date(Date.now() - hour)));
      await page.getByLabel('Until').fill(localInput(new Date(Date.now() + hour)));
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await waitForRows(page, 50);
      await shoot(page, 'audit-log-filtered');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'places the server’s message on the filter it concerns',
    async () => {
      await page.getByLabel('From').fill('');
      await page.getByLabel('Until').fill('');
      await page.getByLabel('Action').fill('x'.repeat(101));
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const error = page.locator('#audit-action-error');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/100/);
      expect(await page.getByLabel('Action').getAttribute('aria-invalid')).toBe('true');
      await page.getByRole('button', { name: 'Clear' }).click();
      await waitForRows(page, 50);
      expect(await error.count()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'keeps the navigation usable at 390 pixels, and hides the Audit log from keys without audit:read',
    async () => {
      await page.goto('/ui/keys');
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
      await navigateAt390(page, 'Audit log', 'Audit log');

      const { token } = await createKey(ui.app, {
        name: 'no audit',
        groupId,
        permissions: ['keys:read', 'users:read'],
      });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(page, token);
      const nav = page.getByRole('navigation', { name: 'Main' });
      expect(await nav.getByRole('link').allInnerTexts()).toEqual(['API Keys', 'Users']);
    },
    STEP_TIMEOUT_MS,
  );
});
