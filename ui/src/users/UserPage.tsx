import { keysApi } from '../api/keys-api';
import { peopleApi } from '../api/people-api';
import { messageOf } from '../api/problem';
import type { ApiKey, SourcedGrantEntry, UserDetail } from '../api/types';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { StatusBadge } from '../components/StatusBadge';
import { UserStatusBadge } from '../components/UserStatusBadge';
import { formatDateTime } from '../lib/format';
import { hrefOf } from '../lib/router';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

/** One person: their status, the groups they are in and (for key managers) their personal keys. */
export function UserPage({ id }: { id: string }) {
  const { api } = useSession();
  const [loaded] = useLoad(() => peopleApi.user(api, id), [id]);
  return (
    <section class="page" aria-labelledby="user-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: 'users' })}>← Users</Link>
      </p>
      {loaded.state === 'loading' ? <p aria-busy="true">Loading user…</p> : null}
      {loaded.state === 'error' ? (
        <>
          <h1 id="user-title">User</h1>
          <Notice kind="error">{messageOf(loaded.error)}</Notice>
        </>
      ) : null}
      {loaded.state === 'ready' ? <UserView user={loaded.data} /> : null}
    </section>
  );
}

function UserView({ user }: { user: UserDetail }) {
  const { can } = useSession();
  const direct = user.groups.filter((g) => g.type === 'direct');
  const nested = user.groups.filter((g) => g.type === 'indirect');
  return (
    <>
      <div class="page-head">
        <div>
          <h1 id="user-title">{user.userName}</h1>
          <p class="group-facts">
            <UserStatusBadge active={user.active} />
            {user.displayName ? <span>{user.displayName}</span> : null}
            {user.externalId ? <span class="muted wrap">External id {user.externalId}</span> : null}
          </p>
          <p class="muted">
            Provisioned {formatDateTime(user.createdAt)}, last changed by the identity provider{' '}
            {formatDateTime(user.updatedAt)}.
          </p>
        </div>
      </div>
      <div class="group-grid">
        <section class="panel" aria-labelledby="user-groups-title">
          <h2 id="user-groups-title">Groups ({user.groups.length})</h2>
          {user.groups.length ? (
            <ul class="plain-list">
              {[...direct, ...nested].map((group) => (
                <li key={group.id}>
                  {can('groups:read') ? (
                    <Link href={hrefOf({ page: 'group', id: group.id })}>{group.displayName}</Link>
                  ) : (
                    group.displayName
                  )}{' '}
                  {group.type === 'indirect' ? <span class="tag">Nested</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">Not in any group.</p>
          )}
        </section>
        <section class="panel" aria-labelledby="user-keys-title">
          <h2 id="user-keys-title">Personal keys</h2>
          {can('keys:manage') ? (
            <UserKeys userId={user.id} />
          ) : (
            <p class="muted">Seeing other people’s keys needs the keys:manage permission.</p>
          )}
        </section>
      </div>
      <UserGrants user={user} />
    </>
  );
}

function UserKeys({ userId }: { userId: string }) {
  const { api } = useSession();
  const [loaded] = useLoad(() => keysApi.list(api, { owner: 'all', ownerUserId: userId, limit: 100 }), [userId]);
  if (loaded.state === 'loading') return <p aria-busy="true">Loading keys…</p>;
  if (loaded.state === 'error') return <Notice kind="error">{messageOf(loaded.error)}</Notice>;
  const keys: ApiKey[] = loaded.data.items;
  if (!keys.length) return <p class="muted">No personal keys.</p>;
  return (
    <ul class="plain-list">
      {keys.map((key) => (
        <li key={key.id} class="key-line">
          <Link href={hrefOf({ page: 'key', id: key.id })}>{key.name}</Link>{' '}
          <StatusBadge status={key.status} reason={key.statusReason} /> <code class="fragment">{key.fragment}</code>
        </li>
      ))}
    </ul>
  );
}

/**
 * What a personal key of this person holds, entry by entry, and where each entry comes from: a group's
 * rule (the group, the person's own group it is reached through when nested, the rule's role, a
 * condition and whether it holds now), or a role or entitlement the identity provider assigned.
 */
function UserGrants({ user }: { user: UserDetail }) {
  const { can } = useSession();
  const assigned = [
    ...user.roles.map((r) => ({ ...r, kind: 'Role' })),
    ...user.entitlements.map((e) => ({ ...e, kind: 'Entitlement' })),
  ];
  return (
    <section class="panel" aria-labelledby="user-grants-title">
      <h2 id="user-grants-title">Permissions and where they come from</h2>
      {user.active !== true ? (
        <p class="muted">Holds nothing while not active.</p>
      ) : user.grants.length ? (
        <ul class="plain-list" aria-label="Granted">
          {user.grants.map((entry, i) => (
            <GrantLine key={`g${i}`} entry={entry} canOpenGroups={can('groups:read')} />
          ))}
        </ul>
      ) : (
        <p class="muted">No permissions.</p>
      )}
      {user.active === true && user.conditionsNotMet.length ? (
        <>
          <h3>Not granted now: the condition does not hold</h3>
          <ul class="plain-list" aria-label="Conditions not met">
            {user.conditionsNotMet.map((entry, i) => (
              <GrantLine key={`c${i}`} entry={entry} canOpenGroups={can('groups:read')} />
            ))}
          </ul>
        </>
      ) : null}
      {assigned.length ? (
        <>
          <h3>Assigned by the identity provider</h3>
          <ul class="plain-list" aria-label="Assigned by the identity provider">
            {assigned.map((a, i) => (
              <li key={`a${i}`}>
                {a.kind} <code>{a.names ?? a.value}</code>{' '}
                <span class={a.grants ? 'tag' : 'tag tag-warn'}>
                  {a.grants
                    ? 'Grants'
                    : !a.known
                      ? 'Unknown: grants nothing'
                      : 'Grants nothing: the idpRoles policy is off'}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function GrantLine({ entry, canOpenGroups }: { entry: SourcedGrantEntry; canOpenGroups: boolean }) {
  const { source } = entry;
  return (
    <li data-permission={entry.permission}>
      <code>{entry.permission}</code>
      {entry.resources ? <span class="muted"> on {entry.resources.join(', ')}</span> : null}{' '}
      <span class="muted">from</span>{' '}
      {source.type === 'group' ? (
        <>
          group{' '}
          {canOpenGroups ? <Link href={hrefOf({ page: 'group', id: source.id })}>{source.name}</Link> : source.name}
          {source.role ? (
            <>
              {' '}
              (role <code>{source.role}</code>)
            </>
          ) : null}
          {source.via ? <span class="muted"> (nested: through {source.via.name})</span> : null}
          {source.when !== undefined ? (
            <>
              {' '}
              <span class="muted">when</span> <code>{source.when}</code>{' '}
              <span class={source.holds ? 'tag' : 'tag tag-warn'}>{source.holds ? 'Holds' : 'Does not hold'}</span>
            </>
          ) : null}
        </>
      ) : source.type === 'idpRole' ? (
        <>
          identity provider role <code>{source.value}</code>
        </>
      ) : (
        <>
          identity provider entitlement <code>{source.value}</code>
        </>
      )}
    </li>
  );
}
