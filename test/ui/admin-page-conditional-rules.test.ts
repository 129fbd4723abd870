import type { Page } from 'playwright-core';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';

/**
 * Issue 13 on the admin page: a rule's "Only when the person matches" field takes a SCIM filter over
 * the user; the server's refusal of a bad one lands under that field; a saved one grants a personal
 * key only while its owner matches, and the editor shows it again after a reload.
 */
describeInBrowser('admin page: conditional rules', () => {
  let ui: AdminPage;
  let page: Page;
  let groupId: string;
  let auditorKey: string;
  let engineerKey: string;

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
    const scim = await scimClient(ui.app);
    const auditor = (await scim.post('/Users', oktaUser('ann@example.com', { title: 'Auditor' }))).body.id as string;
    const engineer = (await scim.post('/Users', oktaUser('ben@example.com', { title: 'Engineer' }))).body.id as string;
    const group = await scim.post('/Groups', {
      displayName: 'Finance',
      members: [{ value: auditor }, { value: engineer }],
    });
    groupId = group.body.id as string;
    auditorKey = (await createKey(ui.app, { name: 'ann', kind: 'personal', ownerUserId: auditor })).token;
    engineerKey = (await createKey(ui.app, { name: 'ben', kind: 'personal', ownerUserId: engineer })).token;
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  async function authorize(token: string, permission: string): Promise<boolean> {
    const res = await ui.call(token, 'POST', '/authorize', { permission });
    expect(res.status).toBe(200);
    return res.body.allowed === true;
  }

  it(
    'refuses a condition that is not about the user under its field, then saves one that grants only to matching people',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto(`/ui/groups/${groupId}`);
      await page.getByRole('heading', { name: 'Finance', level: 1 }).waitFor();
      const rules = page.getByRole('region', { name: 'Rules' });
      await rules.getByRole('button', { name: 'Add rule' }).click();
      const rule = rules.getByRole('group', { name: 'Rule 1' });
      await rule.getByLabel('Permission', { exact: true }).selectOption('audit:read');
      const when = rule.getByLabel('Only when the person matches (optional)');
      await when.fill('shoeSize eq "9"');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      const error = rule.locator('.rule-when .field-error');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/"shoeSize" is not an attribute/);
      expect(await when.getAttribute('aria-invalid')).toBe('true');
      await shoot(page, 'group-rule-condition-error');
      expect(await authorize(auditorKey, 'audit:read')).toBe(false);

      await when.fill('title eq "Auditor"');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await authorize(auditorKey, 'audit:read')).toBe(true);
      expect(await authorize(engineerKey, 'audit:read')).toBe(false);

      await page.reload();
      const again = page.getByRole('region', { name: 'Rules' }).getByRole('group', { name: 'Rule 1' });
      expect(await again.getByLabel('Only when the person matches (optional)').inputValue()).toBe('title eq "Auditor"');
      await page.getByText(/^What this group grants/).click();
      await page.getByText(/Rules with a condition are counted here as if it held/).waitFor();
      await shoot(page, 'group-rule-condition');

      // Clearing the condition makes the rule apply to everyone in the group.
      await again.getByLabel('Only when the person matches (optional)').fill('');
      await page.getByRole('region', { name: 'Rules' }).getByRole('button', { name: 'Save rules' }).click();
      await page
        .getByRole('region', { name: 'Rules' })
        .getByText(/Rules saved/)
        .waitFor();
      expect(await authorize(engineerKey, 'audit:read')).toBe(true);
    },
    STEP_TIMEOUT_MS,
  );
});
