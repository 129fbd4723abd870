import { type ApiError, problemOf } from './problem';
import type { Me } from './types';

export type Query = Record<string, string | number | undefined | null>;

/** A fetch wrapper for /api/v1 that sends the signed-in key and turns failures into ApiErrors. */
export class ApiClient {
  constructor(
    private readonly token: string,
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
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      // Answers carrying tokens are no-store already; nothing here should be cached.
      cache: 'no-store',
      credentials: 'omit',
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
