import type { Page } from 'playwright-core';
import { createKey } from '../support/test-app.js';
import { eventually } from '../support/two-processes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { openAdminPage, signIn, type AdminPage } from './admin-page.js';
import { describeInBrowser, shoot, STEP_TIMEOUT_MS } from './browser.js';

/**
 * Webhooks on the admin page (issue 14): add one and see its signing secret once, edit its events,
 * see its deliveries and redeliver one, delete it; and keys expiring within 7 days at the top of
 * API Keys.
 */
describeInBrowser('admin page: webhooks and keys expiring soon', () => {
  let ui: AdminPage;
  let page: Page;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    ui = await openAdminPage({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    page = ui.page;
    receiver = await startWebhookReceiver();
  }, 60_000);
  afterAll(async () => {
    await ui?.close();
    await receiver?.stop();
  });
  afterEach(() => {
    expect(ui.foreignRequests).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
    expect(receiver.refused).toEqual([]);
  });

  it(
    'keys that expire within 7 days are listed at the top of API Keys',
    async () => {
      await createKey(ui.app, { name: 'expires this week', expiration: '7d' });
      await createKey(ui.app, { name: 'expires next quarter', expiration: '90d' });
      await signIn(page, ui.app.adminToken);
      const box = page.getByRole('region', { name: 'Expiring soon' });
      await box.getByRole('link', { name: 'expires this week' }).waitFor();
      expect(await box.getByText('expires next quarter').count()).toBe(0);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'adds a webhook, shows its secret once, and the receiver verifies what it gets',
    async () => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Add webhook' }).click();
      await page.getByLabel('Endpoint URL').fill(receiver.url);
      await page.getByLabel('Description').fill('from the page');
      await page.getByLabel('key.created').check();
      await page.getByRole('dialog').getByRole('button', { name: 'Add webhook' }).click();
      const secret = await page.getByTestId('webhook-secret').inputValue();
      expect(secret).toMatch(/^whsec_/);
      receiver.setSecret(secret);
      await shoot(page, 'webhook-secret');
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('cell', { name: `${receiver.url} from the page` }).waitFor();
      expect(await page.content()).not.toContain(secret);

      const { id } = await createKey(ui.app, { name: 'announced', expiration: '30d' });
      await eventually(async () => receiver.received.some((e) => e.body.includes(id)), 5000);
    },
    STEP_TIMEOUT_MS,
  );

  it(
    'edits the events, shows deliveries, redelivers one, and deletes the webhook',
    async () => {
      await page.getByRole('button', { name: `Edit ${receiver.url}` }).click();
      await page.getByLabel('key.revoked').check();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('cell', { name: 'key.created, key.revoked' }).waitFor();

      await page.getByRole('button', { name: `Deliveries of ${receiver.url}` }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('delivered (1 attempt)').waitFor();
      const before = receiver.received.length;
      await dialog
        .getByRole('button', { name: /^Redeliver key\.created/ })
        .first()
        .click();
      await dialog.getByText('Queued: it is sent again now.').waitFor();
      await eventually(async () => receiver.received.length === before + 1, 5000);
      expect(receiver.received.at(-1)!.id).toBe(receiver.received[before - 1]!.id);
      await dialog.getByRole('button', { name: 'Close' }).click();

      await page.getByRole('button', { name: `Delete ${receiver.url}` }).click();
      await page.getByRole('button', { name: 'Delete webhook' }).click();
      await page.getByText('No webhooks yet.').waitFor();
    },
    STEP_TIMEOUT_MS,
  );
});
