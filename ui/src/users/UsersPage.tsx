import { useEffect, useState } from 'preact/hooks';
import { peopleApi } from '../api/people-api';
import { messageOf } from '../api/problem';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { Pager } from '../components/Pager';
import { UserStatusBadge } from '../components/UserStatusBadge';
import { useCursorPages } from '../lib/cursor-pages';
import { hrefOf } from '../lib/router';
import { useSession } from '../lib/session';
import { useDebounced } from '../lib/use-debounced';
import { useLoad } from '../lib/use-load';

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 250;

/** The people the identity provider provisioned, by name; each opens on their groups and keys. */
export function UsersPage() {
  const { api, can } = useSession();
  const [text, setText] = useState('');
  const search = useDebounced(text.trim(), SEARCH_DELAY_MS);
  const pages = useCursorPages();
  const cursor = pages.cursor;
  useEffect(() => pages.reset(), [search]);
  const [page] = useLoad(() => peopleApi.users(api, { q: search, cursor, limit: PAGE_SIZE }), [search, cursor]);

  return (
    <section class="page" aria-labelledby="users-title">
      <div class="page-head">
        <div>
          <h1 id="users-title">Users</h1>
          <p class="muted">
            People your identity provider provisions over SCIM. Only active users can sign in and use personal keys.
          </p>
        </div>
      </div>
      <search class="filters">
        <div class="filter filter-search">
          <label for="user-search">Search</label>
          <input
            id="user-search"
            type="search"
            placeholder="User name, display name or email"
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
      </search>
      {page.state === 'error' ? <Notice kind="error">{messageOf(page.error)}</Notice> : null}
      {page.state === 'loading' ? <p aria-busy="true">Loading users…</p> : null}
      {page.state === 'ready' ? (
        page.data.items.length ? (
          <>
            <table class="table users-table">
              <caption class="visually-hidden">Users</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Status</th>
                  <th scope="col">Groups</th>
                  <th scope="col">External id</th>
                </tr>
              </thead>
              <tbody>
                {page.data.items.map((user) => (
                  <tr key={user.id} data-user-id={user.id}>
                    <th scope="row" data-label="User">
                      <div>
                        <Link href={hrefOf({ page: 'user', id: user.id })}>{user.userName}</Link>
                        {user.displayName ? <span class="key-description">{user.displayName}</span> : null}
                      </div>
                    </th>
                    <td data-label="Status">
                      <UserStatusBadge active={user.active} />
                    </td>
                    <td data-label="Groups">
                      {user.groups.length ? (
                        <GroupNames groups={user.groups} linked={can('groups:read')} />
                      ) : (
                        <span class="muted">None</span>
                      )}
                    </td>
                    <td data-label="External id">
                      {user.externalId ? <code class="wrap">{user.externalId}</code> : <span class="muted">None</span>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager label="User pages" {...pages.pager(page.data.nextCursor)} />
          </>
        ) : (
          <p class="empty">
            {search
              ? 'No users match this search.'
              : 'No users yet. Connect your identity provider with a SCIM key to provision them.'}
          </p>
        )
      ) : null}
    </section>
  );
}

function GroupNames({ groups, linked }: { groups: { id: string; displayName: string }[]; linked: boolean }) {
  return (
    <span class="group-names">
      {groups.map((group, i) => (
        <span key={group.id}>
          {i > 0 ? ', ' : null}
          {linked ? <Link href={hrefOf({ page: 'group', id: group.id })}>{group.displayName}</Link> : group.displayName}
        </span>
      ))}
    </span>
  );
}
