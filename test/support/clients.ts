/**
 * Helpers for client-behaviour tests (test/scim/okta-*, test/scim/entra-*): request bodies shaped as
 * Okta and Entra ID send them, and assertions on SCIM responses.
 */
import type { Response } from 'supertest';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, type ScimClient, type TestApp } from './test-app.js';

export const SCIM_JSON = /^application\/scim\+json/;
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export type Json = Record<string, unknown>;

/** Asserts the status (showing the body when it differs) and the SCIM content type (RFC 7644 §3.1). */
export function expectScim(res: Response, status: number): void {
  expect({ status: res.status, body: res.body as unknown }).toEqual(expect.objectContaining({ status }));
  expect(res.headers['content-type']).toMatch(SCIM_JSON);
}

/** Asserts a SCIM error response (RFC 7644 §3.12): Error schema, status as a string, a detail. */
export function expectScimError(res: Response, status: number, scimType?: string): void {
  expectScim(res, status);
  expect(res.body).toEqual(
    expect.objectContaining({
      schemas: [ERROR_SCHEMA],
      status: String(status),
      detail: expect.stringMatching(/\S/),
      ...(scimType ? { scimType } : {}),
    }),
  );
}

/** Asserts an empty ListResponse (RFC 7644 §3.4.2): 200, totalResults 0, `Resources: []`. */
export function expectEmptyList(res: Response): void {
  expectScim(res, 200);
  expect(res.body).toEqual(expect.objectContaining({ schemas: [LIST_SCHEMA], totalResults: 0, Resources: [] }));
}

/** `?filter=...` with the expression percent-encoded, as an identity provider sends it. */
export function filterQuery(expression: string, extra = ''): string {
  return `filter=${encodeURIComponent(expression)}${extra ? `&${extra}` : ''}`;
}

export async function createUser(scim: ScimClient, body: Json): Promise<Json & { id: string }> {
  const res = await scim.post('/Users', body);
  if (res.status !== 201) throw new Error(`creating user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Json & { id: string };
}

export async function createGroup(scim: ScimClient, body: Json): Promise<Json & { id: string }> {
  const res = await scim.post('/Groups', body);
  if (res.status !== 201) throw new Error(`creating group failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Json & { id: string };
}

/** Reads a resource back with GET, asserting 200 and the SCIM content type. */
export async function readBack(scim: ScimClient, location: string): Promise<Json> {
  const res = await scim.get(location);
  expectScim(res, 200);
  return res.body as Json;
}

/** The ids of a group's members as read back, sorted. */
export function memberIds(group: Json): string[] {
  const members = group.members;
  if (!Array.isArray(members)) return [];
  return members.map((m) => String((m as Json).value)).sort();
}

/** A group as Okta pushes it (Okta Group Push: POST /Groups, members possibly empty). */
export function oktaGroup(displayName: string, members: { value: string; display?: string }[] = []): Json {
  return { schemas: [GROUP_SCHEMA], displayName, members };
}

/**
 * A user as Entra ID creates it with its default attribute mappings (Microsoft Learn, "Tutorial:
 * Develop and plan provisioning for a SCIM endpoint", Create User request): externalId from
 * mailNickname, a work e-mail, `meta.resourceType`, an empty `roles` and the enterprise extension.
 */
export function entraUser(userName: string, extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId: userName.split('@')[0],
    userName,
    active: true,
    displayName: 'Barbara Jensen',
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'Barbara Jensen', familyName: 'Jensen', givenName: 'Barbara' },
    title: 'Tour Guide',
    roles: [],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
    ...extra,
  };
}

/**
 * A group as Entra ID creates it (Microsoft Learn, Create Group request): a Microsoft schema URN
 * next to the core one, `meta.resourceType`, and members added afterwards by PATCH.
 */
export function entraGroup(displayName: string, extra: Json = {}): Json {
  return {
    schemas: [GROUP_SCHEMA, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group'],
    externalId: `ext-${displayName.toLowerCase().replace(/\W+/g, '-')}`,
    displayName,
    meta: { resourceType: 'Group' },
    ...extra,
  };
}

/** A SCIM request sent as `Content-Type: application/json`, as Okta's current test plan sends POST /Users. */
export function sendAsPlainJson(
  app: TestApp,
  token: string,
  method: 'post' | 'put' | 'patch',
  url: string,
  body: unknown,
) {
  return app.http[method](`/scim/v2${url}`)
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));
}

/** A unique suffix so names in one file never collide. */
export function unique(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 8)}`;
}
