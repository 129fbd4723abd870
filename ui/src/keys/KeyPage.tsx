import type { ComponentChildren } from 'preact';
import { keysApi } from '../api/keys-api';
import { messageOf } from '../api/problem';
import type { ApiKeyDetail } from '../api/types';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { StatusBadge } from '../components/StatusBadge';
import { formatDateTime, formatRelative } from '../lib/format';
import { hrefOf } from '../lib/router';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { beingReplaced } from './rotation';

/** One key: where its rights come from, who made it, its use and its place in a rotation. */
export function KeyPage({ id }: { id: string }) {
  const { api } = useSession();
  const [loaded] = useLoad(() => keysApi.get(api, id), [id]);
  return (
    <section class="page" aria-labelledby="key-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: 'keys' })}>← API Keys</Link>
      </p>
      {loaded.state === 'loading' ? <p aria-busy="true">Loading key…</p> : null}
      {loaded.state === 'error' ? (
        <>
          <h1 id="key-title">API key</h1>
          <Notice kind="error">{messageOf(loaded.error)}</Notice>
        </>
      ) : null}
      {loaded.state === 'ready' ? <KeyView apiKey={loaded.data} /> : null}
    </section>
  );
}

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function When({ at }: { at: string }) {
  return (
    <time dateTime={at} title={formatDateTime(at)}>
      {formatDateTime(at)}
    </time>
  );
}

function KeyView({ apiKey: key }: { apiKey: ApiKeyDetail }) {
  const { can } = useSession();
  const replaced = key.replacedBy;
  const pending = beingReplaced(key);
  return (
    <>
      <div class="page-head">
        <div>
          <h1 id="key-title">{key.name}</h1>
          <p class="group-facts">
            {pending ? (
              <span class="badge badge-expiring_soon">Being replaced</span>
            ) : (
              <StatusBadge status={key.status} reason={key.statusReason} />
            )}
            <code class="fragment">{key.fragment}</code>
          </p>
          {key.description ? <p class="muted">{key.description}</p> : null}
        </div>
      </div>
      {replaced ? (
        <Notice kind={pending ? 'warning' : 'info'}>
          Replaced by <Link href={hrefOf({ page: 'key', id: replaced.id })}>{replaced.name}</Link>
          {key.revokedAt ? (
            <>
              {' '}
              — {pending ? 'stops working at' : 'stopped working at'} <When at={key.revokedAt} />
              {pending ? ` (${formatRelative(key.revokedAt)})` : ''}
            </>
          ) : null}
          . Use the new key from now on.
        </Notice>
      ) : null}
      <div class="group-grid">
        <section class="panel" aria-labelledby="key-facts-title">
          <h2 id="key-facts-title">Details</h2>
          <dl class="facts">
            <Fact term="Kind">{key.kind === 'personal' ? 'Personal key' : 'Service key'}</Fact>
            {key.kind === 'personal' ? (
              <Fact term="Owner">
                {key.ownerUserId && can('users:read') ? (
                  <Link href={hrefOf({ page: 'user', id: key.ownerUserId })}>
                    {key.ownerUserName ?? key.ownerUserId}
                  </Link>
                ) : (
                  (key.ownerUserName ?? <span class="muted">Unknown</span>)
                )}
              </Fact>
            ) : null}
            <Fact term="Group">
              {key.groupId ? (
                can('groups:read') ? (
                  <Link href={hrefOf({ page: 'group', id: key.groupId })}>{key.groupName ?? key.groupId}</Link>
                ) : (
                  (key.groupName ?? key.groupId)
                )
              ) : (
                <span class="muted">None</span>
              )}
            </Fact>
            <Fact term="SCIM provisioning">{key.scim ? 'Yes: this key may call /scim/v2' : 'No'}</Fact>
            {key.impersonation ? <Fact term="Impersonation">Yes: it may act as other users</Fact> : null}
            <Fact term="Created">
              <When at={key.createdAt} /> by {key.createdBy.name}
            </Fact>
            <Fact term="Last used">
              {key.lastUsedAt ? <When at={key.lastUsedAt} /> : <span class="muted">Never</span>}
            </Fact>
            <Fact term="Expires">{key.expiresAt ? <When at={key.expiresAt} /> : 'Never'}</Fact>
            {key.revokedAt && !replaced ? (
              <Fact term={pending ? 'Stops working' : 'Revoked'}>
                <When at={key.revokedAt} />
              </Fact>
            ) : null}
            {key.rotatedFrom ? (
              <Fact term="Replaces">
                <Link href={hrefOf({ page: 'key', id: key.rotatedFrom })}>the key it was rotated from</Link>
              </Fact>
            ) : null}
          </dl>
        </section>
        <section class="panel" aria-labelledby="key-permissions-title">
          <h2 id="key-permissions-title">Permissions</h2>
          {key.kind === 'service' && !key.groupId ? (
            <p class="muted">
              None{key.scim ? ' outside /scim/v2' : ''}: a service key without a group holds no permissions.
            </p>
          ) : key.permissions === null ? (
            <p>
              Everything {key.kind === 'personal' ? 'its owner may do' : 'its group grants'}
              {key.kind === 'personal' && key.groupName ? ` through ${key.groupName}` : ''}, and no more.
            </p>
          ) : key.permissions.length ? (
            <>
              <p class="muted">
                Narrowed to these permissions, and only as far as {key.kind === 'personal' ? 'its owner' : 'its group'}{' '}
                holds them:
              </p>
              <ul class="plain-list">
                {key.permissions.map((permission) => (
                  <li key={permission}>
                    <code>{permission}</code>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">None: this key may do nothing.</p>
          )}
        </section>
      </div>
    </>
  );
}
