import type { Page, Route } from 'playwright-core';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';
import { isFocused } from './keyboard-and-narrow.js';

/**
 * The Sign-in section and the Self-service keys toggle of Organization settings, driven against
 * the contract of the sign-in API (issue 11: GET/PUT/DELETE /api/v1/organizations/current/sso,
 * `selfServiceKeys` in the policy), which another branch builds. Until it is merged, the browser's
 * requests for those two are answered here, exactly as that contract says; everything else is
 * the real keyscope. Once merged, these steps should run against the real endpoints instead.
 */
describeInBrowser('admin page: sign-in settings and self-service keys follow the sign-in API contract', () => {
  let ui: AdminPage;
  let page: Page;
  let stored: Record<string, unknown> | null = null;
  const puts: Record<string, unknown>[] = [];
  const patches: Record<string, unknown>[] = [];
  let selfService = true;

  const json = (route: Route, status: number, body?: unknown) =>
    route.fulfill({
      status,
      contentType: status >= 400 ? 'application/problem+json' : 'application/json',
      body: body === undefined ? '' : JSON.stringify(body),
    });

  beforeAll(async () => {
    ui = await openAdminPage();
    page = ui.page;
    await page.route('**/api/v1/organizations/current/sso', async (route) => {
      const method = route.request().method();
      if (method === 'GET') {
        if (!stored)
          return json(route, 404, {
            status: 404,
            code: 'not_found',
            detail: 'Sign-in with an identity provider is not configured for this organization',
          });
        return json(route, 200, stored);
      }
      if (method === 'PUT') {
        const body = route.request().postDataJSON() as Record<string, unknown>;
        puts.push(body);
        if (body.issuer === 'https://idp.invalid')
          return json(route, 400, {
            status: 400,
            code: 'sso_discovery_failed',
            detail: 'Could not read the OpenID Provider configuration of https://idp.invalid',
            errors: [{ field: 'issuer', message: 'getaddrinfo ENOTFOUND idp.invalid' }],
          });
        stored = {
          enabled: true,
          issuer: body.issuer,
          clientId: body.clientId,
          claim: body.claim ?? 'preferred_username',
          attribute: body.attribute ?? 'userName',
          hasClientSecret: true,
          redirectUri: `${ui.url}/auth/callback`,
        };
        return json(route, 200, stored);
      }
      stored = null;
      return json(route, 204);
    });
    await page.route('**/api/v1/organizations/current', async (route) => {
      const method = route.request().method();
      if (method === 'PATCH') {
        const body = route.request().postDataJSON() as Record<string, unknown>;
        patches.push(body);
        // The real server takes the rest of the policy; the self-service field is the contract's.
        const { selfServiceKeys, ...rest } = body;
        const res = await ui.call(ui.app.adminToken, 'PATCH', '/organizations/current', rest);
        if (typeof selfServiceKeys === 'boolean') selfService = selfServiceKeys;
        const org = res.body as { policy: Record<string, unknown> };
        return json(
          route,
          res.status,
          res.status === 200 ? { ...org, policy: { ...org.policy, selfServiceKeys: selfService } } : org,
        );
      }
      const res = await route.fetch();
      const org = (await res.json()) as { policy: Record<string, unknown> };
      return json(route, res.status(), { ...org, policy: { ...org.policy, selfServiceKeys: selfService } });
    });
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  const section = () => page.getByRole('region', { name: 'Sign-in' });

  it(
    'offers to configure sign-in when it is off, and places the discovery error on the issuer',
    async () => {
      await signIn(page, ui.app.adminToken);
      await page.goto('/ui/settings');
      await section().getByText('Sign-in with an identity provider is off').waitFor();
      expect(await section().getByRole('button', { name: 'Turn off sign-in' }).count()).toBe(0);

      await section().getByLabel('Issuer URL').fill('https://idp.invalid');
      await section().getByLabel('Client id').fill('keyscope-app');
      await section().getByLabel('Client secret').fill('s3cret-from-the-idp');
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      const error = page.locator('#sso-issuer-error');
      await error.waitFor();
      expect(await error.innerText()).toContain('ENOTFOUND');
      expect(await isFocused(section().getByLabel('Issuer URL'))).toBe(true);
      expect(puts.at(-1)).toEqual({
        issuer: 'https://idp.invalid',
        clientId: 'keyscope-app',
        clientSecret: 's3cret-from-the-idp',
        claim: 'preferred_username',
        attribute: 'userName',
      });
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'saves the settings, then shows the redirect URI and keeps the stored secret when left empty',
    async () => {
      await section().getByLabel('Issuer URL').fill('https://example.okta.com');
      await section().getByLabel('Matches the SCIM attribute').selectOption('emails');
      await section().getByLabel('ID token claim').fill('email');
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      await section().getByText(`${ui.url}/auth/callback`).waitFor();
      await section().getByText('A secret is stored. Leave empty to keep it.').waitFor();
      expect(await section().getByLabel('Client secret').inputValue()).toBe('');
      expect(await section().getByLabel('Issuer URL').inputValue()).toBe('https://example.okta.com');
      await shoot(page, 'organization-settings-sign-in');

      await section().getByLabel('Client id').fill('keyscope-app-2');
      await section().getByRole('button', { name: 'Save sign-in settings' }).click();
      await section().getByRole('status').filter({ hasText: 'Sign-in settings saved.' }).waitFor();
      expect(puts.at(-1)).toEqual({
        issuer: 'https://example.okta.com',
        clientId: 'keyscope-app-2',
        claim: 'email',
        attribute: 'emails',
      });
      expect(JSON.stringify(await page.content())).not.toContain('s3cret-from-the-idp');
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'turns sign-in off',
    async () => {
      await section().getByRole('button', { name: 'Turn off sign-in' }).click();
      await section().getByText('Sign-in with an identity provider is off').waitFor();
      expect(stored).toBeNull();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'shows the Self-service keys switch where the policy has it and saves it with the policy',
    async () => {
      const toggle = page.getByRole('switch', { name: 'People may create and manage their own personal keys' });
      expect(await toggle.isChecked()).toBe(true);
      await toggle.uncheck();
      await page.getByRole('button', { name: 'Save policy' }).click();
      await page.getByRole('status').filter({ hasText: 'Policy saved.' }).waitFor();
      expect(patches.at(-1)).toMatchObject({ selfServiceKeys: false, maxKeys: 100 });
      await page.reload();
      await page.getByRole('heading', { name: 'Key policy' }).waitFor();
      expect(await toggle.isChecked()).toBe(false);
    },
    STEP_TIMEOUT_MS,
  );
});
