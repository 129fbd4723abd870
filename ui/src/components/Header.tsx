import type { Me } from '../api/types';
import { hrefOf, type Route } from '../lib/router';
import { useSession } from '../lib/session';
import { Link } from './Link';

/** Who is signed in: the key's owner for a personal key, the key itself (and its group) for a service key. */
export function identityOf(me: Me): string {
  if (me.kind === 'session' && me.user) return me.user.displayName || me.user.userName;
  if (me.owner) return me.owner.userName;
  return me.group ? `${me.key.name} (service key, ${me.group.name})` : `${me.key.name} (service key)`;
}

export function Header({ route }: { route: Route }) {
  const { me, can, signOut } = useSession();
  return (
    <header class="header">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <div class="header-row">
        <Link href={hrefOf({ page: 'keys' })} class="brand">
          keyscope
        </Link>
        <nav aria-label="Main" class="nav">
          <Link href={hrefOf({ page: 'keys' })} current={route.page === 'keys' || route.page === 'key'}>
            API Keys
          </Link>
          {can('groups:read') ? (
            <Link href={hrefOf({ page: 'groups' })} current={route.page === 'groups' || route.page === 'group'}>
              Groups
            </Link>
          ) : null}
          {can('users:read') ? (
            <Link href={hrefOf({ page: 'users' })} current={route.page === 'users' || route.page === 'user'}>
              Users
            </Link>
          ) : null}
          {can('audit:read') ? (
            <Link href={hrefOf({ page: 'audit' })} current={route.page === 'audit'}>
              Audit log
            </Link>
          ) : null}
          {can('org:admin') ? (
            <Link href={hrefOf({ page: 'webhooks' })} current={route.page === 'webhooks'}>
              Webhooks
            </Link>
          ) : null}
          {can('org:admin') ? (
            <Link href={hrefOf({ page: 'settings' })} current={route.page === 'settings'}>
              Settings
            </Link>
          ) : null}
        </nav>
        <div class="who" data-testid="who">
          <span class="who-org" title="Organization">
            <span class="visually-hidden">Organization: </span>
            {me.organization.name}
          </span>
          <span class="who-key">
            <span class="visually-hidden">Signed in as </span>
            {identityOf(me)}
          </span>
        </div>
        <button type="button" class="button button-quiet" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
