import type { Page } from 'playwright-core';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';

const SCIM_JSON = 'application/scim+json';

/**
 * The walk a new admin takes: sign in with the bootstrap key, create the SCIM key for Okta, let
 * Okta push users and groups, put a key on a pushed group, and hang rules on it, watching the
 * key's /api/v1/authorize answer change as the rules are saved.
 */
describeInBrowser('admin page: groups and rules', () => {
  let ui: AdminPage;
  let page: Page;
  let oktaToken: string;
  let deployToken: string;
  const ids: Record<string, string> = {};

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

  const dialog = (title: string) => page.getByRole('dialog', { name: title });
  const groupRow = (name: string) =>
    page
      .getByRole('table', { name: 'Groups' })
      .locator('tbody tr')
      .filter({ has: page.getByRole('link', { name, exact: true }) });

  /** Okta's side: SCIM requests with the key the admin made for it. */
  async function okta(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${ui.url}/scim/v2${path}`, {
      method,
      headers: { Authorization: `Bearer ${oktaToken}`, 'Content-Type': SCIM_JSON },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(method === 'POST' ? 201 : 200);
    return (await res.json()) as Record<string, unknown>;
  }

  async function authorize(permission: string, resource?: string): Promise<boolean> {
    const res = await ui.call(deployToken, 'POST', '/authorize', { permission, ...(resource ? { resource } : {}) });
    expect(res.status).toBe(200);
    return res.body.allowed === true;
  }

  async function createKey(fill: () => Promise<void>): Promise<string> {
    await page.getByRole('button', { name: 'Create API key' }).click();
    await dialog('Create API key').getByLabel('Name (required)').waitFor();
    await fill();
    await dialog('Create API key').getByRole('button', { name: 'Create', exact: true }).click();
    const created = dialog('API key created');
    const token = await created.getByLabel(/^API key for/).inputValue();
    await created.getByRole('button', { name: 'Done' }).click();
    await created.waitFor({ state: 'detached' });
    return token;
  }

  it(
    'signs in with the bootstrap key and creates the SCIM key for Okta',
    async () => {
      await signIn(page, ui.app.adminToken);
      const form = dialog('Create API key');
      oktaToken = await createKey(async () => {
        await form.getByLabel('Name (required)').fill('Okta provisioning');
        await form.getByLabel('Description').fill('SCIM connector of the Okta app');
        await form.getByLabel('Expiration', { exact: true }).selectOption('1y');
        await form.getByLabel('SCIM provisioning').check();
      });
      expect(oktaToken).toMatch(/^ksk_/);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'lists the groups Okta pushes, with source, members and parents',
    async () => {
      const alice = await okta('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'alice@example.com',
        displayName: 'Alice Liddell',
        active: true,
      });
      const bob = await okta('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'bob@example.com',
        displayName: 'Bob Builder',
        active: true,
      });
      const engineering = await okta('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        members: [{ value: alice.id }, { value: bob.id }],
      });
      ids.engineering = String(engineering.id);
      ids.alice = String(alice.id);
      const staff = await okta('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Staff',
        members: [{ value: engineering.id, type: 'Group' }],
      });
      ids.staff = String(staff.id);

      await page.getByRole('link', { name: 'Groups' }).click();
      await groupRow('Engineering').waitFor();
      const engineeringRow = await groupRow('Engineering').innerText();
      expect(engineeringRow).toContain('Identity provider');
      expect(engineeringRow).toMatch(/\b2\b/);
      expect(engineeringRow).toContain('Staff');
      expect(await groupRow('Admins').innerText()).toContain('Local');
      await shoot(page, 'groups');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'puts a service key on a pushed group',
    async () => {
      await page.getByRole('link', { name: 'API Keys' }).click();
      const form = dialog('Create API key');
      deployToken = await createKey(async () => {
        await form.getByLabel('Name (required)').fill('deploy bot');
        await form.getByLabel('Group').selectOption({ label: 'Engineering (identity provider)' });
      });
      expect(await authorize('keys:read')).toBe(false);

      await page.getByRole('link', { name: 'Groups' }).click();
      await groupRow('Engineering').getByText('deploy bot').waitFor();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows a group with its members and keys, and saving rules changes what its key may do at once',
    async () => {
      await groupRow('Engineering').getByRole('link', { name: 'Engineering' }).click();
      await page.getByRole('heading', { name: 'Engineering', level: 1 }).waitFor();
      const members = page.getByRole('region', { name: /^Members/ });
      await members.getByText('Alice Liddell').waitFor();
      expect(await members.innerText()).toContain('Bob Builder');
      expect(await page.getByRole('region', { name: 'Keys' }).innerText()).toContain('deploy bot');
      expect(page.url()).toBe(`${ui.url}/ui/groups/${ids.engineering}`);

      const rules = page.getByRole('region', { name: 'Rules' });
      await rules.getByRole('button', { name: 'Add rule' }).click();
      // The new rule's first control has focus: the editor works from the keyboard.
      const type = rules.getByLabel('Grants');
      expect(await type.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await rules.getByLabel('Permission', { exact: true }).selectOption('keys:read');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await authorize('keys:read')).toBe(true);
      expect(await authorize('groups:write')).toBe(false);

      // A rule narrowed to resource ids grants only those.
      await rules.getByRole('button', { name: 'Add rule' }).click();
      const second = rules.getByRole('group', { name: 'Rule 2' });
      await second.getByLabel('Grants').selectOption('role');
      await second.getByLabel('Role').selectOption('viewer');
      await second.getByLabel('Resource ids (optional)').fill('project-1, project-2');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await authorize('groups:read', 'project-1')).toBe(true);
      expect(await authorize('groups:read', 'project-3')).toBe(false);
      await shoot(page, 'group');

      // The server's message about one rule lands on that rule.
      await second.getByLabel('Resource ids (optional)').fill(`project-1, ${'p'.repeat(201)}`);
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await second.locator('.field-error').waitFor();
      expect(await second.locator('.field-error').innerText()).toMatch(/200/);
      await shoot(page, 'group-rule-error');

      await second.getByRole('button', { name: 'Remove rule 2' }).click();
      await rules.getByRole('group', { name: 'Rule 1' }).getByRole('button', { name: 'Remove rule 1' }).click();
      await rules.getByText('No rules: this group grants nothing yet.').waitFor();
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await authorize('keys:read')).toBe(false);
      expect(await authorize('groups:read', 'project-1')).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'gives a pushed user a personal key, suspended with its reason when Okta deactivates the user',
    async () => {
      await page.getByRole('link', { name: 'API Keys' }).click();
      const form = dialog('Create API key');
      const token = await createKey(async () => {
        await form.getByLabel('Name (required)').fill('alice laptop');
        await form.getByLabel('Personal key').check();
        await form.getByLabel('Find the owner').fill('alice');
        await form
          .getByLabel('Owner (required)')
          .locator('option', { hasText: 'Alice Liddell' })
          .waitFor({ state: 'attached' });
        await form.getByLabel('Owner (required)').selectOption({ label: 'Alice Liddell (alice@example.com)' });
        await form.getByLabel('Group').selectOption({ label: 'Engineering (identity provider)' });
        await shoot(page, 'create-personal-key');
      });
      expect((await ui.call(token, 'GET', '/me')).body.owner).toMatchObject({ userName: 'alice@example.com' });
      const row = page.getByRole('table', { name: 'API keys' }).locator('tbody tr').filter({ hasText: 'alice laptop' });
      expect(await row.innerText()).toContain('Personal: alice@example.com');

      await okta('PATCH', `/Users/${ids.alice}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      await page.reload();
      await row.getByText('owner deactivated').waitFor();
      expect(await row.locator('.status').innerText()).toMatch(/^Suspended\s*:?\s*owner deactivated$/);
      expect((await ui.call(token, 'GET', '/me')).body).toMatchObject({ code: 'owner_inactive' });
      await shoot(page, 'api-keys-suspended');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "passes a parent group's rules down to the keys of the groups nested in it",
    async () => {
      await page.goto(`/ui/groups/${ids.staff}`);
      await page.getByRole('heading', { name: 'Staff', level: 1 }).waitFor();
      const rules = page.getByRole('region', { name: 'Rules' });
      await rules.getByRole('button', { name: 'Add rule' }).click();
      await rules.getByLabel('Permission', { exact: true }).selectOption('audit:read');
      await rules.getByRole('button', { name: 'Save rules' }).click();
      await rules.getByText(/Rules saved/).waitFor();
      expect(await authorize('audit:read')).toBe(true);

      await page.goto(`/ui/groups/${ids.engineering}`);
      await page.getByText('What this group grants (1)').click();
      await page.getByRole('region', { name: 'Rules' }).getByText('audit:read').waitFor();
    },
    STEP_TIMEOUT_MS,
  );
});
