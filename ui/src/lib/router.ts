import { useEffect, useState } from 'preact/hooks';

/** Client-side routes under /ui; keyscope answers index.html for each of them. */
export const BASE = '/ui';

export type Route = { page: 'keys' } | { page: 'groups' } | { page: 'group'; id: string } | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'keys')) return { page: 'keys' };
  if (parts.length === 1 && parts[0] === 'groups') return { page: 'groups' };
  if (parts.length === 2 && parts[0] === 'groups' && parts[1])
    return { page: 'group', id: decodeURIComponent(parts[1]) };
  return { page: 'not-found' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'keys':
      return `${BASE}/keys`;
    case 'groups':
      return `${BASE}/groups`;
    case 'group':
      return `${BASE}/groups/${encodeURIComponent(route.id)}`;
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
