import { type ApiError, problemOf } from './problem';
import type { Me } from './types';

export type Query = Record<string, string | number | undefined | null>;

/**
 * How the page proves who it is: a pasted key (sent as Bearer, never as a cookie), or the sign-in
 * session's HttpOnly cookie, which the browser sends itself; a session's writes also carry its CSRF
 * token (GET /api/v1/me's csrfToken) as X-CSRF-Token.
 */
export type Credential = string | { csrfToken: string };

/** A fetch wrapper for /api/v1 that sends the signed-in key (or session) and turns failures into ApiErrors. */
export class ApiClient {
  constructor(
    private readonly credential: Credential,
    /** Called when the server refuses the key itself (revoked, expired…), so the page can sign out. */
    private readonly onUnauthorized: (error: ApiError) => void = () => {},
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.send<T>('GET', path + queryString(query));
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PATCH', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const session = typeof this.credential !== 'string';
    if (typeof this.credential === 'string') headers.Authorization = `Bearer ${this.credential}`;
    else if (method !== 'GET') headers['X-CSRF-Token'] = this.credential.csrfToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Answers carrying tokens are no-store already; nothing here should be cached.
      cache: 'no-store',
      credentials: session ? 'same-origin' : 'omit',
    });
    if (!res.ok) {
      const error = await problemOf(res);
      if (error.status === 401) this.onUnauthorized(error);
      throw error;
    }
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Asks who a key is, before it is kept: the sign-in check. */
export function fetchMe(token: string): Promise<Me> {
  return new ApiClient(token).get<Me>('/me');
}

/** Who the sign-in session cookie is, if the browser holds a live one; null otherwise. */
export async function fetchSessionMe(): Promise<Me | null> {
  const res = await fetch('/api/v1/me', {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { Accept: 'application/json' },
  });
  if (!res.ok) return null;
  const me = (await res.json()) as Me;
  return me.kind === 'session' ? me : null;
}

export interface SignInOffer {
  enabled: boolean;
  loginUrl?: string;
}

/** Whether an organization offers sign-in with its identity provider (asked before anyone signs in). */
export async function fetchSignInOffer(org: string): Promise<SignInOffer> {
  const res = await fetch(`/auth/organizations/${encodeURIComponent(org)}`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) return { enabled: false };
  return (await res.json()) as SignInOffer;
}

/** Ends the sign-in session on the server; the provider's end-session URL when it has one. */
export async function endSession(csrfToken: string): Promise<{ endSessionUrl: string | null }> {
  const res = await fetch('/auth/logout', {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'X-CSRF-Token': csrfToken, Accept: 'application/json' },
  });
  if (!res.ok) return { endSessionUrl: null };
  return (await res.json()) as { endSessionUrl: string | null };
}
