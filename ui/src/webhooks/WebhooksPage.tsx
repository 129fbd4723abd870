import { useState } from 'preact/hooks';
import { messageOf } from '../api/problem';
import { WEBHOOK_EVENTS, type Webhook, type WebhookBody, webhooksApi } from '../api/webhooks-api';
import { Dialog } from '../components/Dialog';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { formErrors, type FormErrors } from '../lib/field-errors';
import { formatDateTime } from '../lib/format';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

type OpenDialog =
  | { kind: 'create' }
  | { kind: 'edit'; webhook: Webhook }
  | { kind: 'delete'; webhook: Webhook }
  | { kind: 'deliveries'; webhook: Webhook }
  | null;

/** Webhooks (org:admin): where keyscope sends its events, signed per Standard Webhooks. */
export function WebhooksPage() {
  const { api } = useSession();
  const [list, reload] = useLoad(() => webhooksApi.list(api), []);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [done, setDone] = useState<string | null>(null);
  const changed = (message: string) => {
    setDone(message);
    reload();
  };

  return (
    <section class="page" aria-labelledby="webhooks-title">
      <div class="page-head">
        <div>
          <h1 id="webhooks-title">Webhooks</h1>
          <p class="muted">
            keyscope sends what happens to keys, people and groups to these endpoints, signed per Standard Webhooks,
            retried for 24 hours.
          </p>
        </div>
        <button
          type="button"
          class="button button-primary"
          onClick={() => {
            setDone(null);
            setDialog({ kind: 'create' });
          }}
        >
          Add webhook
        </button>
      </div>
      {done ? <Notice kind="success">{done}</Notice> : null}
      {list.state === 'error' ? <Notice kind="error">{messageOf(list.error)}</Notice> : null}
      {list.state === 'loading' ? <p aria-busy="true">Loading webhooks…</p> : null}
      {list.state === 'ready' ? (
        list.data.items.length ? (
          <table class="table webhooks-table">
            <thead>
              <tr>
                <th scope="col">Endpoint</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((w) => (
                <tr key={w.id}>
                  <td>
                    <div class="cell-title">{w.url}</div>
                    {w.description ? <div class="muted">{w.description}</div> : null}
                  </td>
                  <td>{w.events.join(', ')}</td>
                  <td>{w.enabled ? 'Enabled' : 'Disabled'}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="button button-small"
                      onClick={() => setDialog({ kind: 'deliveries', webhook: w })}
                    >
                      Deliveries<span class="visually-hidden"> of {w.url}</span>
                    </button>
                    <button
                      type="button"
                      class="button button-small"
                      onClick={() => setDialog({ kind: 'edit', webhook: w })}
                    >
                      Edit<span class="visually-hidden"> {w.url}</span>
                    </button>
                    <button
                      type="button"
                      class="button button-small"
                      onClick={() => setDialog({ kind: 'delete', webhook: w })}
                    >
                      Delete<span class="visually-hidden"> {w.url}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="empty">No webhooks yet.</p>
        )
      ) : null}

      {dialog?.kind === 'create' ? (
        <WebhookDialog onClose={() => setDialog(null)} onSaved={() => changed('Webhook added.')} />
      ) : null}
      {dialog?.kind === 'edit' ? (
        <WebhookDialog
          webhook={dialog.webhook}
          onClose={() => setDialog(null)}
          onSaved={() => {
            setDialog(null);
            changed('Webhook saved.');
          }}
        />
      ) : null}
      {dialog?.kind === 'delete' ? (
        <DeleteWebhookDialog
          webhook={dialog.webhook}
          onClose={() => setDialog(null)}
          onDeleted={() => {
            setDialog(null);
            changed('Webhook deleted.');
          }}
        />
      ) : null}
      {dialog?.kind === 'deliveries' ? (
        <DeliveriesDialog webhook={dialog.webhook} onClose={() => setDialog(null)} />
      ) : null}
    </section>
  );
}

type FormField = 'url' | 'description' | 'events';

/** Create (then show the signing secret, once) or edit a webhook. */
function WebhookDialog({ webhook, onClose, onSaved }: { webhook?: Webhook; onClose: () => void; onSaved: () => void }) {
  const { api } = useSession();
  const [body, setBody] = useState<WebhookBody>({
    url: webhook?.url ?? '',
    description: webhook?.description ?? '',
    events: webhook?.events ?? [],
    enabled: webhook?.enabled ?? true,
  });
  const [errors, setErrors] = useState<FormErrors<FormField>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!body.events.length) {
      setErrors({ fields: { events: 'Choose at least one event' } });
      return;
    }
    setBusy(true);
    try {
      if (webhook) {
        await webhooksApi.update(api, webhook.id, body);
      } else {
        setSecret((await webhooksApi.create(api, body)).secret);
      }
      onSaved();
    } catch (error) {
      setErrors(
        formErrors(error, (f) => (f === 'url' || f === 'description' || f === 'events' ? (f as FormField) : undefined)),
      );
    }
    setBusy(false);
  };

  if (secret) {
    return (
      <Dialog title="Webhook added" onClose={onClose}>
        <Notice kind="warning">
          <strong>Copy the signing secret now.</strong> It is shown only once; your receiver verifies every request with
          it.
        </Notice>
        <label for="webhook-secret">Signing secret</label>
        <textarea id="webhook-secret" class="token" rows={2} readOnly value={secret} data-testid="webhook-secret" />
        <div class="dialog-actions">
          <button type="button" class="button button-primary" onClick={onClose}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  const e = errors.fields;
  const toggle = (name: string, on: boolean) =>
    setBody({ ...body, events: on ? [...body.events, name] : body.events.filter((x) => x !== name) });
  return (
    <Dialog title={webhook ? 'Edit webhook' : 'Add webhook'} onClose={onClose} wide>
      <form onSubmit={submit} noValidate class="form">
        <Field id="webhook-url" label="Endpoint URL" required error={e.url}>
          <input
            id="webhook-url"
            type="url"
            value={body.url}
            autofocus
            onInput={(ev) => setBody({ ...body, url: ev.currentTarget.value })}
            {...describedBy('webhook-url', { error: e.url })}
          />
        </Field>
        <Field id="webhook-description" label="Description" error={e.description}>
          <input
            id="webhook-description"
            type="text"
            value={body.description}
            onInput={(ev) => setBody({ ...body, description: ev.currentTarget.value })}
          />
        </Field>
        <fieldset class={e.events ? 'field field-invalid' : 'field'}>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((name) => (
            <label key={name} class="checkbox">
              <input
                type="checkbox"
                name="events"
                value={name}
                checked={body.events.includes(name)}
                onChange={(ev) => toggle(name, ev.currentTarget.checked)}
              />{' '}
              {name}
            </label>
          ))}
          {e.events ? (
            <div class="field-error" role="alert">
              {e.events}
            </div>
          ) : null}
        </fieldset>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={body.enabled}
            onChange={(ev) => setBody({ ...body, enabled: ev.currentTarget.checked })}
          />{' '}
          Enabled
        </label>
        {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : webhook ? 'Save changes' : 'Add webhook'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function DeleteWebhookDialog({
  webhook,
  onClose,
  onDeleted,
}: {
  webhook: Webhook;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const { api } = useSession();
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title="Delete webhook" onClose={onClose}>
      <p>
        Delete the webhook to <strong>{webhook.url}</strong>? Events not yet delivered to it are dropped.
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          class="button button-danger"
          onClick={() =>
            webhooksApi.remove(api, webhook.id).then(onDeleted, (err: unknown) => setError(messageOf(err)))
          }
        >
          Delete webhook
        </button>
      </div>
    </Dialog>
  );
}

/** The events sent to one webhook, each with its attempts; any can be sent again. */
function DeliveriesDialog({ webhook, onClose }: { webhook: Webhook; onClose: () => void }) {
  const { api } = useSession();
  const [page, reload] = useLoad(() => webhooksApi.deliveries(api, webhook.id), [webhook.id]);
  const [notice, setNotice] = useState<string | null>(null);
  const redeliver = (id: string) =>
    webhooksApi.redeliver(api, webhook.id, id).then(
      () => {
        setNotice('Queued: it is sent again now.');
        reload();
      },
      (err: unknown) => setNotice(messageOf(err)),
    );
  return (
    <Dialog title={`Deliveries to ${webhook.url}`} onClose={onClose} wide>
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      {page.state === 'error' ? <Notice kind="error">{messageOf(page.error)}</Notice> : null}
      {page.state === 'loading' ? <p aria-busy="true">Loading deliveries…</p> : null}
      {page.state === 'ready' ? (
        page.data.items.length ? (
          <table class="table deliveries-table">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Last attempt</th>
                <th scope="col">Next attempt</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((d) => {
                const last = d.attemptLog[d.attemptLog.length - 1];
                return (
                  <tr key={d.id}>
                    <td>
                      <div class="cell-title">{d.type}</div>
                      <div class="muted">
                        {d.subject} · {formatDateTime(d.createdAt)}
                      </div>
                    </td>
                    <td>
                      {d.status} ({d.attempts} attempt{d.attempts === 1 ? '' : 's'})
                    </td>
                    <td>
                      {last ? (
                        <>
                          {formatDateTime(last.at)}: {last.statusCode ?? 'no answer'}
                          {last.error ? <div class="muted">{last.error}</div> : null}
                          {last.responseExcerpt ? <div class="muted">{last.responseExcerpt.slice(0, 120)}</div> : null}
                        </>
                      ) : (
                        'not yet'
                      )}
                    </td>
                    <td>{d.nextAttemptAt ? formatDateTime(d.nextAttemptAt) : '—'}</td>
                    <td>
                      <button type="button" class="button button-small" onClick={() => redeliver(d.id)}>
                        Redeliver
                        <span class="visually-hidden">
                          {' '}
                          {d.type} {d.subject}
                        </span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : (
          <p class="empty">Nothing sent to this webhook yet.</p>
        )
      ) : null}
      <div class="dialog-actions">
        <button type="button" class="button" onClick={reload}>
          Refresh
        </button>
      </div>
    </Dialog>
  );
}
