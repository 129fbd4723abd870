import { useEffect, useState } from 'preact/hooks';

/** Client-side routes under /ui; keyscope answers index.html for each of them. */
export const BASE = '/ui';

export type Route =
  | { page: 'keys' }
  | { page: 'key'; id: string }
  | { page: 'groups' }
  | { page: 'group'; id: string }
  | { page: 'users' }
  | { page: 'user'; id: string }
  | { page: 'audit' }
  | { page: 'settings' }
  | { page: 'webhooks' }
  | { page: 'not-found' };

/** Pages with a list at /ui/<name> and one item at /ui/<name>/<id>. */
const COLLECTIONS = { keys: 'key', groups: 'group', users: 'user' } as const;

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0) return { page: 'keys' };
  const [first, second] = parts;
  if (parts.length === 1 && (first === 'audit' || first === 'settings' || first === 'webhooks')) return { page: first };
  if (first && Object.hasOwn(COLLECTIONS, first)) {
    const list = first as keyof typeof COLLECTIONS;
    if (parts.length === 1) return { page: list };
    if (parts.length === 2 && second) return { page: COLLECTIONS[list], id: decodeURIComponent(second) };
  }
  return { page: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'keys':
    case 'groups':
    case 'users':
    case 'audit':
    case 'settings':
    case 'webhooks':
      return `${BASE}/${route.page}`;
    case 'key':
      return `${BASE}/keys/${encodeURIComponent(route.id)}`;
    case 'group':
      return `${BASE}/groups/${encodeURIComponent(route.id)}`;
    case 'user':
      return `${BASE}/users/${encodeURIComponent(route.id)}`;
    case 'not-found':
      return `${BASE}/`;
  }
}

const listeners = new Set<() => void>();

export function navigate(href: string): void {
  if (href === location.pathname) return;
  history.pushState(null, '', href);
  for (const notify of listeners) notify();
}

/** The current route; re-renders on links, back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return route;
}
