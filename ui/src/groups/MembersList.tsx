import { groupsApi } from '../api/groups-api';
import { messageOf } from '../api/problem';
import { Notice } from '../components/Notice';
import { Pager } from '../components/Pager';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { useCursorPages } from '../lib/cursor-pages';

/** The group's direct members, users and nested groups, a page at a time. */
export function MembersList({ groupId }: { groupId: string }) {
  const { api } = useSession();
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const [page] = useLoad(() => groupsApi.members(api, groupId, cursor), [groupId, cursor]);

  if (page.state === 'loading') return <p aria-busy="true">Loading members…</p>;
  if (page.state === 'error') return <Notice kind="error">{messageOf(page.error)}</Notice>;
  if (!page.data.items.length) return <p class="muted">No members.</p>;
  return (
    <>
      <ul class="plain-list members">
        {page.data.items.map((member) => (
          <li key={member.id}>
            <span>{member.displayName || member.name}</span>
            {member.displayName && member.displayName !== member.name ? (
              <span class="muted"> {member.name}</span>
            ) : null}
            {member.type === 'Group' ? <span class="tag">Group</span> : null}
            {/* active null on a user: unassigned by the identity provider, which keyscope reads as not active */}
            {member.type === 'User' && member.active !== true ? <span class="tag tag-warn">Deactivated</span> : null}
          </li>
        ))}
      </ul>
      <Pager label="Member pages" {...pages.pager(page.data.nextCursor)} />
    </>
  );
}
