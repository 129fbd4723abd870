import { groupsApi } from '../api/groups-api';
import { messageOf } from '../api/problem';
import type { Group } from '../api/types';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { Pager } from '../components/Pager';
import { hrefOf } from '../lib/router';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { ruleText } from './rules';
import { GroupLinks } from './GroupLinks';
import { RolesPanel } from './RolesPanel';
import { SourceBadge } from './SourceBadge';
import { useCursorPages } from '../lib/cursor-pages';

const PAGE_SIZE = 50;

/** Every group: the ones the identity provider syncs and keyscope's local ones. */
export function GroupsPage() {
  const { api } = useSession();
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const [page] = useLoad(() => groupsApi.list(api, { cursor, limit: PAGE_SIZE }), [cursor]);

  return (
    <section class="page" aria-labelledby="groups-title">
      <div class="page-head">
        <div>
          <h1 id="groups-title">Groups</h1>
          <p class="muted">
            Groups come from your identity provider over SCIM, or are local to keyscope. A group’s rules decide what its
            members and keys may do.
          </p>
        </div>
      </div>
      {page.state === 'error' ? <Notice kind="error">{messageOf(page.error)}</Notice> : null}
      {page.state === 'loading' ? <p aria-busy="true">Loading groups…</p> : null}
      {page.state === 'ready' ? (
        page.data.items.length ? (
          <>
            <GroupsTable groups={page.data.items} />
            <Pager label="Group pages" {...pages.pager(page.data.nextCursor)} />
          </>
        ) : (
          <p class="empty">No groups yet. Connect your identity provider with a SCIM key to sync them.</p>
        )
      ) : null}
      <RolesPanel />
    </section>
  );
}

function GroupsTable({ groups }: { groups: Group[] }) {
  return (
    <table class="table groups-table">
      <caption class="visually-hidden">Groups</caption>
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Source</th>
          <th scope="col">Members</th>
          <th scope="col">Parent groups</th>
          <th scope="col">Rules</th>
          <th scope="col">Keys</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((group) => (
          <tr key={group.id} data-group-id={group.id}>
            <th scope="row" data-label="Group">
              <div>
                <Link href={hrefOf({ page: 'group', id: group.id })}>{group.displayName}</Link>
                {group.description ? <span class="key-description">{group.description}</span> : null}
              </div>
            </th>
            <td data-label="Source">
              <SourceBadge source={group.source} />
            </td>
            <td data-label="Members">{group.memberCount}</td>
            <td data-label="Parent groups">
              {group.parents.length ? <GroupLinks groups={group.parents} /> : <span class="muted">None</span>}
            </td>
            <td data-label="Rules">
              {group.rules.length ? group.rules.map(ruleText).join(', ') : <span class="muted">None</span>}
            </td>
            <td data-label="Keys">
              {group.keys.length ? group.keys.map((k) => k.name).join(', ') : <span class="muted">None</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
