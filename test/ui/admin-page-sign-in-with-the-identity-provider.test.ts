import { createServer as createNetServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { configureSignIn, startProvider, type TestProvider } from '../support/oidc.js';
import { oktaUser, patchOp, scimClient, startTestApp, type TestApp } from '../support/test-app.js';
import { describeInBrowser, launchChromium, NARROW, shoot, STEP_TIMEOUT_MS, WIDE } from './browser.js';

/** Presses Tab until the focused element's accessible text is `name` (at most 30 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } })
        .document.activeElement;
      return el?.textContent?.trim() ?? '';
    });
    if (focused === name) return;
  }
  throw new Error(`Tab never reached "${name}"`);
}

/** Whether the page is wider than its viewport (a horizontal scroll bar on a phone). */
function overflows(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });
}

/** A port free right now, so PUBLIC_URL (and the redirect URI registered at the provider) can name it. */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The whole sign-in in Debian's Chromium (issue 11): /ui offers "Sign in with your identity
 * provider", the real provider's login page takes the person's name, keyscope's callback sets the
 * session cookie, and the person (who holds no keys:* permission) creates a personal key on the
 * API Keys page and uses it. The session cookie is HttpOnly: the page never sees it.
 */
describeInBrowser('admin page: sign in with the identity provider', () => {
  let app: TestApp;
  let provider: TestProvider;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let url: string;
  let userId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = await startTestApp({ env: { PUBLIC_URL: url, KEYSCOPE_PERMISSIONS: 'reports:read' } });
    server = app.keyscope.app.listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    provider = await startProvider({ redirectUris: [`${url}/auth/callback`] });
    const scim = await scimClient(app);
    userId = (await scim.post('/Users', oktaUser('ada@example.com', { displayName: 'Ada Lovelace' }))).body.id;
    const readers = (await scim.post('/Groups', { displayName: 'Readers', members: [{ value: userId }] })).body.id;
    await app.http
      .put(`/api/v1/groups/${readers}/rules`)
      .set('Authorization', `Bearer ${app.adminToken}`)
      .send({ rules: [{ permission: 'reports:read' }] });
    provider.accounts.set('ada', { preferred_username: 'ada@example.com', name: 'Ada Lovelace' });
    expect((await configureSignIn(app.keyscope.app, app.adminToken, provider)).status).toBe(200);
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: WIDE, baseURL: url });
    context.setDefaultTimeout(20_000);
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await provider?.close();
    await new Promise((resolve) => server?.close(resolve));
    await app?.close();
  });

  it(
    'at 390 px, signs in and out with the keyboard alone, nothing wider than the screen',
    async () => {
      const narrow = await browser.newContext({ viewport: NARROW, baseURL: url });
      narrow.setDefaultTimeout(20_000);
      const phone = await narrow.newPage();
      phone.on('pageerror', (error) => pageErrors.push(error.message));
      try {
        await phone.goto('/ui/');
        await phone.getByRole('link', { name: 'Sign in with your identity provider' }).waitFor();
        await tabTo(phone, 'Sign in with your identity provider');
        expect(await overflows(phone)).toBe(false);
        await phone.keyboard.press('Enter');
        await phone.waitForURL((u) => u.href.startsWith(provider.issuer));
        await phone.locator('input[name="login"]').focus();
        await phone.keyboard.type('ada');
        await phone.keyboard.press('Tab');
        await phone.keyboard.type('any');
        await phone.keyboard.press('Enter');
        await phone.waitForURL(`${url}/ui/`);
        await phone.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
        expect(await overflows(phone)).toBe(false);
        await tabTo(phone, 'Sign out');
        await phone.keyboard.press('Enter');
        await phone.getByRole('link', { name: 'Also sign out of your identity provider' }).waitFor();
        expect(pageErrors).toEqual([]);
      } finally {
        await narrow.close();
      }
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'signs in, creates a personal key on the API Keys page, and the key works',
    async () => {
      await page.goto('/ui/');
      const idp = page.getByRole('link', { name: 'Sign in with your identity provider' });
      await idp.waitFor();
      // The paste-a-key form stays, as the break-glass path.
      await page.getByLabel('API key').waitFor();
      await shoot(page, 'sign-in-with-identity-provider');
      await idp.click();
      // The provider's own login page.
      await page.waitForURL((u) => u.href.startsWith(provider.issuer));
      await page.locator('input[name="login"]').fill('ada');
      await page.locator('input[name="password"]').fill('any');
      await page.locator('button[type="submit"]').first().click();
      await page.waitForURL(`${url}/ui/`);
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
      await page.getByTestId('who').getByText('Ada Lovelace').waitFor();
      // HttpOnly: the page's script cannot read the session cookie.
      expect(
        await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
      ).toBe('');

      await page.getByRole('button', { name: 'Create API key' }).click();
      const form = page.getByRole('dialog', { name: 'Create API key' });
      await form.getByLabel('Name (required)').fill('ada laptop');
      await form.getByRole('button', { name: 'Create', exact: true }).click();
      const created = page.getByRole('dialog', { name: /created|API key/i });
      const token = await created.getByLabel(/^API key for/).inputValue();
      expect(token).toMatch(/^ksk_/);
      await created.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('table', { name: 'API keys' }).getByText('ada laptop').waitFor();

      const decision = await fetch(`${url}/api/v1/authorize`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ permission: 'reports:read' }),
      });
      expect(await decision.json()).toEqual({ allowed: true });
      const me = (await (
        await fetch(`${url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } })
      ).json()) as {
        owner: unknown;
      };
      expect(me.owner).toEqual({ id: userId, userName: 'ada@example.com' });

      // Signing out ends the session: a reload shows the sign-in page again.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Also sign out of your identity provider' }).waitFor();
      await page.reload();
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).waitFor();
      expect(pageErrors).toEqual([]);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'a person deactivated by the identity provider is signed out at their next request',
    async () => {
      await page.goto('/ui/');
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
      await page.waitForURL((u) => u.href.startsWith(`${url}/ui/`) || u.href.startsWith(provider.issuer));
      if (page.url().startsWith(provider.issuer)) {
        await page.locator('input[name="login"]').fill('ada');
        await page.locator('input[name="password"]').fill('any');
        await page.locator('button[type="submit"]').first().click();
      }
      await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
      const scim = await scimClient(app);
      await scim.patch(`/Users/${userId}`, patchOp({ op: 'replace', value: { active: false } }));
      await page.reload();
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).waitFor();
      // Signing in again is refused with a clear page.
      await page.getByRole('link', { name: 'Sign in with your identity provider' }).click();
      await page.waitForURL((u) => u.pathname === '/auth/callback' || u.href.startsWith(provider.issuer));
      if (page.url().startsWith(provider.issuer)) {
        await page.locator('input[name="login"]').fill('ada');
        await page.locator('input[name="password"]').fill('any');
        await page.locator('button[type="submit"]').first().click();
      }
      await page.getByRole('heading', { name: 'Your account is deactivated' }).waitFor();
    },
    STEP_TIMEOUT_MS,
  );
});
