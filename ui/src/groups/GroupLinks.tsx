import { Fragment } from 'preact';
import { Link } from '../components/Link';
import { hrefOf } from '../lib/router';

/** "Staff, Everyone" with each name a link to its group. */
export function GroupLinks({ groups }: { groups: { id: string; displayName: string }[] }) {
  return (
    <>
      {groups.map((group, i) => (
        <Fragment key={group.id}>
          {i > 0 ? ', ' : null}
          <Link href={hrefOf({ page: 'group', id: group.id })}>{group.displayName}</Link>
        </Fragment>
      ))}
    </>
  );
}
