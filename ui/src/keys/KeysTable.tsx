import type { ApiKey } from '../api/types';
import { Link } from '../components/Link';
import { StatusBadge } from '../components/StatusBadge';
import { formatDate, formatDateTime, formatRelative } from '../lib/format';
import { hrefOf } from '../lib/router';
import { beingReplaced } from './rotation';

/** A past moment; the server's clock may run ahead of the browser's, which must not read as "in 2 minutes". */
function formatPast(value: string): string {
  return Date.parse(value) > Date.now() ? 'just now' : formatRelative(value);
}

export type KeyAction = 'edit' | 'rotate' | 'revoke';

interface KeysTableProps {
  keys: ApiKey[];
  /** Adds the creator to the Created column (All keys). */
  showCreator: boolean;
  onAction: (action: KeyAction, key: ApiKey) => void;
}

/** Why an action is not offered for a key, or null when it is. */
export function unavailable(action: KeyAction, key: ApiKey): string | null {
  if (key.status === 'revoked') return 'This key is revoked';
  if (action === 'edit' && key.status === 'expired') return 'Expired keys cannot be edited';
  if (action === 'rotate' && beingReplaced(key)) return 'A new key already replaces this one';
  return null;
}

function accessLabel(permissions: string[] | null): string | null {
  if (permissions === null) return null;
  return permissions.length === 1 && permissions[0] === '*:read' ? 'Read only' : 'Restricted';
}

/**
 * The keys as a table (cards on narrow screens). It shows only what the API lists: the masked
 * fragment, never a token.
 */
export function KeysTable({ keys, showCreator, onAction }: KeysTableProps) {
  return (
    <table class="table keys-table">
      <caption class="visually-hidden">API keys</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Key</th>
          <th scope="col">Status</th>
          <th scope="col">Group</th>
          <th scope="col">Last used</th>
          <th scope="col">Expires</th>
          <th scope="col">Created</th>
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <KeyRow key={key.id} apiKey={key} showCreator={showCreator} onAction={onAction} />
        ))}
      </tbody>
    </table>
  );
}

function KeyRow({
  apiKey: key,
  showCreator,
  onAction,
}: {
  apiKey: ApiKey;
  showCreator: boolean;
  onAction: KeysTableProps['onAction'];
}) {
  const access = accessLabel(key.permissions);
  // Rotated with a grace period: it still works, but a new key already replaces it.
  const replacing = beingReplaced(key);
  return (
    <tr data-key-id={key.id}>
      <th scope="row" class="cell-name" data-label="Name">
        <Link href={hrefOf({ page: 'key', id: key.id })} class="key-name">
          {key.name}
        </Link>
        {key.description ? <span class="key-description">{key.description}</span> : null}
        <span class="tags">
          <span class="tag">
            {key.kind === 'personal' ? `Personal${key.ownerUserName ? `: ${key.ownerUserName}` : ''}` : 'Service'}
          </span>
          {key.scim ? <span class="tag tag-scim">SCIM</span> : null}
          {key.impersonation ? <span class="tag tag-impersonator">Impersonator</span> : null}
          {access ? <span class="tag">{access}</span> : null}
          {replacing ? <span class="tag tag-warn">Being replaced</span> : null}
        </span>
      </th>
      <td data-label="Key">
        <code class="fragment">{key.fragment}</code>
      </td>
      <td data-label="Status">
        <StatusBadge status={key.status} reason={key.statusReason} />
      </td>
      <td data-label="Group">{key.groupName ?? <span class="muted">None</span>}</td>
      <td data-label="Last used">
        {key.lastUsedAt ? (
          <time dateTime={key.lastUsedAt} title={formatDateTime(key.lastUsedAt)}>
            {formatPast(key.lastUsedAt)}
          </time>
        ) : (
          <span class="muted">Never used</span>
        )}
      </td>
      <td data-label="Expires">
        {key.revokedAt ? (
          <span class="muted">
            {replacing ? 'Stops' : 'Revoked'}{' '}
            <time dateTime={key.revokedAt} title={formatDateTime(key.revokedAt)}>
              {replacing ? formatDateTime(key.revokedAt) : formatDate(key.revokedAt)}
            </time>
          </span>
        ) : key.expiresAt ? (
          <time dateTime={key.expiresAt} title={formatDateTime(key.expiresAt)}>
            {formatDate(key.expiresAt)}
          </time>
        ) : (
          'Never'
        )}
      </td>
      <td data-label="Created">
        <div>
          <time dateTime={key.createdAt} title={formatDateTime(key.createdAt)}>
            {formatDate(key.createdAt)}
          </time>
          {showCreator ? <span class="creator">by {key.createdBy.name}</span> : null}
        </div>
      </td>
      <td class="cell-actions" data-label="Actions">
        {(['edit', 'rotate', 'revoke'] as const).map((action) => {
          const reason = unavailable(action, key);
          return (
            <button
              key={action}
              type="button"
              class={action === 'revoke' ? 'button button-small button-danger' : 'button button-small'}
              disabled={reason !== null}
              title={reason ?? undefined}
              aria-label={`${ACTION_LABELS[action]} ${key.name}`}
              onClick={() => onAction(action, key)}
            >
              {ACTION_LABELS[action]}
            </button>
          );
        })}
      </td>
    </tr>
  );
}

const ACTION_LABELS: Record<KeyAction, string> = { edit: 'Edit', rotate: 'Rotate', revoke: 'Revoke' };
