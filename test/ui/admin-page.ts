import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { launchChromium, WIDE } from './browser.js';

/** A real keyscope listening on a port, and a Chromium tab pointed at its /ui. */
export interface AdminPage {
  app: TestApp;
  url: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests to any other host, and errors the page logged: both must stay empty. */
  foreignRequests: string[];
  pageErrors: string[];
  /** The admin API from the test's side, as a service holding `token` would call it. */
  call(
    token: string,
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function openAdminPage(env: Record<string, string> = {}): Promise<AdminPage> {
  // The page is served from dist/ui, which `npm test` builds first (pretest: npm run build).
  if (!existsSync(path.resolve('dist/ui/index.html')))
    throw new Error('dist/ui/index.html is missing: run `npm run build` before the UI tests');
  const app = await startTestApp({ env });
  const server: Server = app.keyscope.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: WIDE, baseURL: url });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  // Fail a step with playwright's own message (what it waited for) well before jest's timeout.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (request) => {
    const target = request.url();
    if (!target.startsWith(`${url}/`) && !target.startsWith('data:')) foreignRequests.push(target);
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // 401s and 400s the tests provoke on purpose show up as failed resource loads.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });

  const call: AdminPage['call'] = async (token, method, apiPath, body) => {
    const res = await fetch(`${url}/api/v1${apiPath}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  return {
    app,
    url,
    browser,
    context,
    page,
    foreignRequests,
    pageErrors,
    call,
    close: async () => {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await app.close();
    },
  };
}

/** Pastes a key into the sign-in form and waits for the API Keys page. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.goto('/ui/');
  await page.getByLabel('API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'API Keys', level: 1 }).waitFor();
}

/** A full token anywhere in a text: `ksk_<keyId>_<secret+checksum>` (a fragment has an ellipsis instead). */
export const FULL_TOKEN = /ksk_[0-9A-Za-z]+_[0-9A-Za-z]{20,}/;
