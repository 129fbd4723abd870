import { directoryApi } from '../api/directory-api';
import { groupsApi } from '../api/groups-api';
import { messageOf } from '../api/problem';
import type { GroupDetail } from '../api/types';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { hrefOf } from '../lib/router';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { MembersList } from './MembersList';
import { RulesEditor } from './RulesEditor';
import { ruleText } from './rules';
import { GroupLinks } from './GroupLinks';
import { SourceBadge } from './SourceBadge';

/** One group: its members, its keys, its rules (editable with groups:write) and what it grants. */
export function GroupPage({ id }: { id: string }) {
  const { api, can } = useSession();
  const [loaded, reload] = useLoad(() => Promise.all([groupsApi.get(api, id), directoryApi.catalogue(api)]), [id]);

  return (
    <section class="page" aria-labelledby="group-title">
      <p class="breadcrumb">
        <Link href={hrefOf({ page: 'groups' })}>← Groups</Link>
      </p>
      {loaded.state === 'loading' ? <p aria-busy="true">Loading group…</p> : null}
      {loaded.state === 'error' ? (
        <>
          <h1 id="group-title">Group</h1>
          <Notice kind="error">{messageOf(loaded.error)}</Notice>
        </>
      ) : null}
      {loaded.state === 'ready' ? (
        <>
          <GroupSummary group={loaded.data[0]} />
          <div class="group-grid">
            <section class="panel" aria-labelledby="rules-title">
              <h2 id="rules-title">Rules</h2>
              {can('groups:write') ? (
                <RulesEditor
                  key={loaded.data[0].id}
                  group={loaded.data[0]}
                  catalogue={loaded.data[1]}
                  onSaved={reload}
                />
              ) : (
                <ReadOnlyRules group={loaded.data[0]} />
              )}
              <Grant group={loaded.data[0]} />
            </section>
            <div class="stack">
              <section class="panel" aria-labelledby="keys-on-group-title">
                <h2 id="keys-on-group-title">Keys</h2>
                {loaded.data[0].keys.length ? (
                  <ul class="plain-list">
                    {loaded.data[0].keys.map((key) => (
                      <li key={key.id}>
                        {key.name} <span class="tag">{key.kind === 'personal' ? 'Personal' : 'Service'}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  <p class="muted">No live keys are assigned to this group.</p>
                )}
              </section>
              <section class="panel" aria-labelledby="members-title">
                <h2 id="members-title">Members ({loaded.data[0].memberCount})</h2>
                <MembersList key={id} groupId={id} />
              </section>
            </div>
          </div>
        </>
      ) : null}
    </section>
  );
}

function GroupSummary({ group }: { group: GroupDetail }) {
  return (
    <div class="page-head">
      <div>
        <h1 id="group-title">{group.displayName}</h1>
        <p class="group-facts">
          <SourceBadge source={group.source} />
          {group.parents.length ? (
            <span>
              Nested in <GroupLinks groups={group.parents} />
            </span>
          ) : null}
          {group.externalId ? <span class="muted">External id {group.externalId}</span> : null}
        </p>
        {group.description ? <p class="muted">{group.description}</p> : null}
      </div>
    </div>
  );
}

function ReadOnlyRules({ group }: { group: GroupDetail }) {
  if (!group.rules.length) return <p class="muted">No rules. Changing rules needs the groups:write permission.</p>;
  return (
    <ul class="plain-list">
      {group.rules.map((rule, i) => (
        <li key={i}>
          <code>{ruleText(rule)}</code>
        </li>
      ))}
    </ul>
  );
}

/** The effective grant: own rules and those of every parent group, roles expanded. */
function Grant({ group }: { group: GroupDetail }) {
  return (
    <details class="grant">
      <summary>What this group grants ({group.grant.length})</summary>
      {group.rules.some((r) => r.when) ? (
        <p class="muted">
          Rules with a condition are counted here as if it held: they grant only to keys acting for a person the
          condition matches, and never to service keys.
        </p>
      ) : null}
      {group.grant.length ? (
        <ul class="plain-list">
          {group.grant.map((entry, i) => (
            <li key={i}>
              <code>{entry.permission}</code>
              {entry.resources ? <span class="muted"> on {entry.resources.join(', ')}</span> : null}
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Nothing: its keys and members get no permissions from it.</p>
      )}
    </details>
  );
}
