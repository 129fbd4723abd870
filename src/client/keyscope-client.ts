/**
 * A client of keyscope's HTTP API for services and for the `keyscope` CLI. It talks HTTP only and
 * imports nothing of the server (a dependency-cruiser rule), so a service can use it against any
 * keyscope it reaches: `import { KeyscopeClient } from 'keyscope/client'`.
 */

import type {
  ApiKey,
  ApiKeyDetail,
  AuditEvent,
  AuditQuery,
  Group,
  GroupMember,
  KeyQuery,
  Organization,
  OrgPolicy,
  Page,
  PermissionCatalogue,
  Role,
  User,
  UserSummary,
} from './admin-types.js';

/** What `POST /api/v1/authorize` decides: a denial is an answer, with the reason, not an error. */
export type AuthorizeDecision = { allowed: true } | { allowed: false; reason?: string };

/** One rule of a key's grant: a permission, optionally narrowed to named resources. */
export interface GrantEntry {
  permission: string;
  resources: readonly string[] | null;
}

/** `GET /api/v1/me`: who a key is and what it may do. */
export interface Me {
  organization: { id: string; name: string };
  key: {
    id: string;
    name: string;
    kind: 'service' | 'personal';
    scim: boolean;
    status: string;
    statusReason: string | null;
    expiresAt: string | null;
  };
  group: { id: string; name: string | null } | null;
  owner: { id: string; userName: string | null } | null;
  permissions: readonly GrantEntry[];
  /**
   * Rules that grant only while a condition on the person holds (a SCIM filter over the user), with
   * whether each holds now; those that hold are in `permissions`. Absent from servers before it.
   */
  conditionalRules?: readonly {
    permission?: string;
    role?: string;
    resources: readonly string[] | null;
    when: string;
    holds: boolean;
  }[];
  /** Each built-in permission, decided. */
  can: Record<string, boolean>;
}

/** `POST /api/v1/introspect` (RFC 7662): `{active: false}` for unknown, revoked, expired or foreign tokens. */
export type Introspection =
  | { active: false }
  | ({
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      token_type: 'Bearer';
      iat: number;
      exp?: number;
    } & Me);

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Codes of failures that never reached an answer from keyscope (status 0), or whose answer was not
 * keyscope's: `unreachable` (connection refused, DNS, reset), `timeout` (no answer within
 * timeoutMs), `bad_response` (not the JSON keyscope sends, e.g. a proxy's error page), `no_key`
 * (the call needs the client's own key and none was given). Otherwise `code` is keyscope's own:
 * `invalid_token`, `key_revoked`, `key_expired`, `owner_inactive`, `owner_left_group`,
 * `group_deleted`, `idp_signal`, `idp_logout`, `too_many_attempts`, `unknown_permission`, `forbidden`, `database_unavailable`, …
 */
export type ClientFailureCode = 'unreachable' | 'timeout' | 'bad_response' | 'no_key';

/** An error from keyscope (its RFC 9457 problem details), or a failure to get an answer at all. */
export class KeyscopeError extends Error {
  /**
   * True when keyscope gave no usable answer (unreachable, timeout, 5xx, not its JSON): the caller
   * cannot know the decision, and a service must refuse (fail closed), not allow.
   */
  readonly unavailable: boolean;

  constructor(
    /** The HTTP status, or 0 when no answer came. */
    readonly status: number,
    readonly code: ClientFailureCode | (string & {}),
    message: string,
    readonly fieldErrors: readonly FieldError[] = [],
    /** From `Retry-After`, when keyscope sent it (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KeyscopeError';
    this.unavailable = code === 'no_key' ? false : status === 0 || status >= 500 || code === 'bad_response';
  }
}

export interface KeyscopeClientOptions {
  /** keyscope's base URL, e.g. `https://keyscope.internal` (a path prefix is kept). */
  url: string;
  /** This client's own key: for `introspect` and for calls made without a token. */
  key?: string;
  /** Per request, connection to the end of the body; default 2000. */
  timeoutMs?: number;
}

export interface RequestOptions {
  body?: unknown;
  /** The bearer token to send; default: the client's own key. */
  token?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface AuthorizeOptions {
  /**
   * The address of the caller whose token this is, sent as `X-Forwarded-For`. keyscope counts
   * failed authentications per client address (AUTH_FAILURE_LIMIT); it reads this header only when
   * its TRUST_PROXY trusts this service, and then counts each caller on its own instead of the
   * service as one client whose callers' junk tokens could get its new tokens refused (429).
   */
  clientAddress?: string;
}

const DEFAULT_TIMEOUT_MS = 2000;
const MAX_TIMEOUT_MS = 600_000;

export class KeyscopeClient {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly key: string | undefined;
  private readonly apiBase: string;

  constructor(options: KeyscopeClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TypeError(`KeyscopeClient: url must be an absolute http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new TypeError(`KeyscopeClient: url must be http or https, got ${parsed.protocol}`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS)
      throw new TypeError(`KeyscopeClient: timeoutMs must be a number of milliseconds in (0, ${MAX_TIMEOUT_MS}]`);
    this.url = options.url;
    this.timeoutMs = timeoutMs;
    this.key = options.key || undefined;
    this.apiBase = `${options.url.replace(/\/+$/, '')}/api/v1`;
  }

  /**
   * May the key `token` do `permission` (on `resource`)? Resolves with the decision, a denial
   * included; rejects with a KeyscopeError for an invalid, revoked, expired or suspended token
   * (401), an unknown permission (400 `unknown_permission`), and when keyscope gives no answer.
   */
  async authorize(
    token: string,
    permission: string,
    resource?: string,
    options: AuthorizeOptions = {},
  ): Promise<AuthorizeDecision> {
    const answer = await this.request<unknown>('POST', '/authorize', {
      token,
      body: resource === undefined ? { permission } : { permission, resource },
      ...(options.clientAddress ? { headers: { 'X-Forwarded-For': options.clientAddress } } : {}),
    });
    const decision = answer as { allowed?: unknown; reason?: unknown } | null;
    if (typeof decision !== 'object' || decision === null || typeof decision.allowed !== 'boolean')
      throw new KeyscopeError(502, 'bad_response', 'keyscope answered /authorize without a boolean "allowed"');
    if (decision.allowed) return { allowed: true };
    return typeof decision.reason === 'string' ? { allowed: false, reason: decision.reason } : { allowed: false };
  }

  /** Who the key `token` is and what it may do (default: this client's own key). */
  me(token?: string): Promise<Me> {
    return this.request<Me>('GET', '/me', token === undefined ? {} : { token });
  }

  /** RFC 7662 introspection of another token, with this client's own key (which needs `keys:introspect`). */
  introspect(token: string): Promise<Introspection> {
    return this.request<Introspection>('POST', '/introspect', { body: { token } });
  }

  /** `GET /keys`: one page of the keys this client's key may see. */
  listKeys(query: KeyQuery = {}): Promise<Page<ApiKey>> {
    return this.request('GET', `/keys${queryString(query)}`);
  }

  getKey(id: string): Promise<ApiKeyDetail> {
    return this.request('GET', `/keys/${encodeURIComponent(id)}`);
  }

  /** `GET /users` (users:read): one page of provisioned users, `q` matching names and e-mails. */
  listUsers(query: { q?: string; cursor?: string; limit?: number } = {}): Promise<Page<UserSummary>> {
    return this.request('GET', `/users${queryString(query)}`);
  }

  /** `GET /users/:id` (users:read): a user and its groups. */
  getUser(id: string): Promise<User> {
    return this.request('GET', `/users/${encodeURIComponent(id)}`);
  }

  listGroups(query: { q?: string; source?: 'scim' | 'local'; cursor?: string; limit?: number } = {}) {
    return this.request<Page<Group>>('GET', `/groups${queryString(query)}`);
  }

  getGroup(id: string): Promise<Group> {
    return this.request('GET', `/groups/${encodeURIComponent(id)}`);
  }

  groupMembers(id: string, query: { cursor?: string; limit?: number } = {}): Promise<Page<GroupMember>> {
    return this.request('GET', `/groups/${encodeURIComponent(id)}/members${queryString(query)}`);
  }

  /** A local group (one keyscope owns; the identity provider's groups arrive over SCIM). */
  createGroup(displayName: string, description?: string): Promise<Group> {
    return this.request('POST', '/groups', {
      body: description === undefined ? { displayName } : { displayName, description },
    });
  }

  updateGroup(id: string, changes: { displayName?: string; description?: string }): Promise<Group> {
    return this.request('PATCH', `/groups/${encodeURIComponent(id)}`, { body: changes });
  }

  async deleteGroup(id: string): Promise<void> {
    await this.request<undefined>('DELETE', `/groups/${encodeURIComponent(id)}`);
  }

  /** `GET /roles` (groups:read): the built-in roles, then the organization's own. */
  listRoles(): Promise<Page<Role>> {
    return this.request('GET', '/roles');
  }

  getRole(name: string): Promise<Role> {
    return this.request('GET', `/roles/${encodeURIComponent(name)}`);
  }

  /** Defines a role of the organization (org:admin). */
  createRole(role: { name: string; description?: string; permissions: string[] }): Promise<Role> {
    return this.request('POST', '/roles', { body: role });
  }

  /** Changes a role's description or permissions (org:admin); every key holding it sees the change at once. */
  updateRole(name: string, changes: { description?: string; permissions?: string[] }): Promise<Role> {
    return this.request('PATCH', `/roles/${encodeURIComponent(name)}`, { body: changes });
  }

  /** Deletes a role (org:admin); refused (409 role_in_use) while a group rule names it. */
  async deleteRole(name: string): Promise<void> {
    await this.request<undefined>('DELETE', `/roles/${encodeURIComponent(name)}`);
  }

  /** The permissions and roles this keyscope knows: what rules and keys may name. */
  permissions(): Promise<PermissionCatalogue> {
    return this.request('GET', '/permissions');
  }

  /** This client's key's organization and its policy. */
  organization(): Promise<Organization> {
    return this.request('GET', '/organizations/current');
  }

  /** Changes the organization's policy (org:admin); fields left out stay as they are. */
  updatePolicy(changes: Partial<OrgPolicy>): Promise<Organization> {
    return this.request('PATCH', '/organizations/current', { body: changes });
  }

  /** `GET /audit` (audit:read): one page of the audit log, newest first. */
  audit(query: AuditQuery = {}): Promise<Page<AuditEvent>> {
    return this.request('GET', `/audit${queryString(query)}`);
  }

  /** Any call of the admin and access API: `path` is below `/api/v1` (`/keys?status=active`). */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const token = options.token ?? this.key;
    if (!token) throw new KeyscopeError(0, 'no_key', 'no key to call keyscope with: give the client a key');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      let res: Response;
      try {
        res = await fetch(`${this.apiBase}${path}`, {
          method,
          headers: {
            ...options.headers,
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
          signal: controller.signal,
          redirect: 'error',
        });
      } catch (error) {
        throw this.noAnswer(error, controller.signal);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (error) {
        throw this.noAnswer(error, controller.signal);
      }
      return this.settle<T>(res, text);
    } finally {
      clearTimeout(timer);
    }
  }

  private noAnswer(error: unknown, signal: AbortSignal): KeyscopeError {
    if (signal.aborted)
      return new KeyscopeError(0, 'timeout', `keyscope at ${this.url} did not answer within ${this.timeoutMs} ms`);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    return new KeyscopeError(0, 'unreachable', `cannot reach keyscope at ${this.url} (${cause})`);
  }

  private settle<T>(res: Response, text: string): T {
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      if (data === undefined)
        throw new KeyscopeError(502, 'bad_response', `keyscope at ${this.url} answered ${res.status} without JSON`);
      return data as T;
    }
    const problem = (typeof data === 'object' && data !== null ? data : {}) as {
      detail?: unknown;
      title?: unknown;
      code?: unknown;
      errors?: unknown;
    };
    const retryHeader = res.headers.get('retry-after');
    const retryAfter = retryHeader === null ? Number.NaN : Number(retryHeader);
    const message =
      typeof problem.detail === 'string'
        ? problem.detail
        : typeof problem.title === 'string'
          ? problem.title
          : data === undefined && text
            ? text.slice(0, 200)
            : `HTTP ${res.status}`;
    const code = typeof problem.code === 'string' ? problem.code : data === undefined ? 'bad_response' : 'http_error';
    throw new KeyscopeError(
      res.status,
      code,
      message,
      Array.isArray(problem.errors) ? (problem.errors as FieldError[]) : [],
      Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
    );
  }
}

/** `?a=1&b=x` from the defined, non-empty values; '' when there are none. */
function queryString(params: object): string {
  const entries = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]): [string, string] => [k, String(v)]);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}
