import { badRequest } from '../../http/http-error.js';
import type { UserFields, UserRecord } from '../../users/users.js';
import { catalogue, registeredExtension, type ResourceCatalogue } from '../../schema/catalogue.js';
import { keepExtension, reportIfUnregistered, type UnregisteredSink } from '../attributes/registered-extensions.js';
import { checkDocument } from '../attributes/check-value.js';
import { isPlainObject, normalizeInbound, withScimmy } from '../attributes/coerce.js';
import { checkNameLength, checkUserAttributesSize, checkValueCount } from '../attributes/limits.js';
import { ENTERPRISE_USER_SCHEMA, USER_SCHEMA, scimmy } from '../../schema/scimmy.js';

// Kept in columns (or never stored: password; computed: groups), not in the attributes document.
const NOT_IN_DOCUMENT = new Set([
  'schemas',
  'id',
  'meta',
  'userName',
  'externalId',
  'active',
  'displayName',
  'password',
  'groups',
]);

/**
 * A POST or PUT body: `active` is undefined when the body does not name it, null when it sends
 * null or "" (unassigned); the route decides what absence means (POST: true, PUT: as it was).
 */
export type UserBody = Omit<UserFields, 'active'> & { active: boolean | null | undefined };

/**
 * A SCIM User body → what the store keeps. scimmy validates and coerces (types, case-insensitive
 * names, unknown attributes dropped, read-only ones ignored); `password` is accepted and never stored.
 */
export function userFieldsFromScim(
  body: unknown,
  cat: ResourceCatalogue = catalogue('User'),
  unregistered: UnregisteredSink = () => undefined,
): UserBody {
  if (!isPlainObject(body)) throw badRequest('The body must be a JSON object holding a SCIM User', 'invalidSyntax');
  const normalized = normalizeInbound(body, cat);
  checkDocument(normalized, cat);
  // Registered extensions are kept by keyscope (scimmy knows only the built-in schemas); attributes of
  // unregistered ones are reported, then dropped as scimmy drops every unknown attribute (RFC 7644 §3.3).
  const kept: Record<string, Record<string, unknown>> = {};
  const forScimmy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(normalized)) {
    const ext = registeredExtension(cat, key);
    if (ext) kept[ext.id] = keepExtension(value, ext, unregistered);
    else if (!reportIfUnregistered(cat, key, value, unregistered)) forScimmy[key] = value;
  }
  if (Array.isArray(forScimmy.schemas))
    forScimmy.schemas = forScimmy.schemas.filter((s) => typeof s !== 'string' || !registeredExtension(cat, s));
  const coerced = withScimmy(
    () => JSON.parse(JSON.stringify(new (scimmy().Schemas.User)(forScimmy, 'in'))) as Record<string, unknown>,
  );
  for (const [urn, value] of Object.entries(kept)) if (Object.keys(value).length) coerced[urn] = value;
  const unassigned = Object.entries(body).some(
    ([key, value]) => key.toLowerCase() === 'active' && (value === null || value === ''),
  );
  return { ...documentFields(coerced), active: unassigned ? null : activeOf(coerced) };
}

/**
 * A document PATCH produced → what the store keeps. Without `active` (a `remove`, RFC 7644
 * §3.5.2.2) the user's active is unassigned: null, which is not active.
 */
export function userFieldsFromDocument(doc: Record<string, unknown>): UserFields {
  return { ...documentFields(doc), active: activeOf(doc) ?? null };
}

function activeOf(doc: Record<string, unknown>): boolean | undefined {
  return doc.active === undefined ? undefined : doc.active === true;
}

/** Splits a coerced SCIM document into columns and the attributes document (all but `active`). */
function documentFields(doc: Record<string, unknown>): Omit<UserFields, 'active'> {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (NOT_IN_DOCUMENT.has(key) || value === undefined) continue;
    if (Array.isArray(value)) {
      checkValueCount(key, value);
      // RFC 7643 §2.4: "primary" is true on at most one value.
      if (value.filter((v) => isPlainObject(v) && v.primary === true).length > 1)
        throw badRequest(`${key} has more than one primary value`, 'invalidValue');
    }
    attributes[key] = value;
  }
  checkUserAttributesSize(attributes);
  const userName = doc.userName;
  if (typeof userName !== 'string' || !userName.trim())
    throw badRequest("Required attribute 'userName' is missing", 'invalidValue');
  const fields = {
    userName,
    externalId: typeof doc.externalId === 'string' ? doc.externalId : null,
    displayName: typeof doc.displayName === 'string' ? doc.displayName : null,
    attributes,
  };
  checkNameLength('userName', fields.userName);
  checkNameLength('externalId', fields.externalId);
  checkNameLength('displayName', fields.displayName);
  return fields;
}

/**
 * The stored user as a plain SCIM document, without meta (what PATCH operates on). Values under a
 * URN the organization's catalogue does not have (an extension deleted meanwhile) are not shown.
 */
export function userDocument(user: UserRecord, cat: ResourceCatalogue = catalogue('User')): Record<string, unknown> {
  const schemas =
    user.attributes[ENTERPRISE_USER_SCHEMA] !== undefined ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA];
  let attributes = user.attributes;
  if (Object.keys(attributes).some((k) => k.startsWith('urn:') && k !== ENTERPRISE_USER_SCHEMA)) {
    attributes = {};
    for (const [key, value] of Object.entries(user.attributes)) {
      if (!key.startsWith('urn:') || key === ENTERPRISE_USER_SCHEMA) attributes[key] = value;
      else if (registeredExtension(cat, key)) {
        attributes[key] = value;
        schemas.push(key);
      }
    }
  }
  const doc: Record<string, unknown> = {
    schemas,
    id: user.id,
    ...(user.externalId !== null ? { externalId: user.externalId } : {}),
    userName: user.userName,
    ...attributes,
    ...(user.displayName !== null ? { displayName: user.displayName } : {}),
    // Unassigned (null) is not shown (RFC 7643 §2.5: unassigned attributes are not returned).
    ...(user.active !== null ? { active: user.active } : {}),
  };
  return doc;
}

/**
 * The response representation (RFC 7643 §4.1), built straight from the row: no per-request schema
 * coercion, which costs scimmy ~166 µs a user. A differential test holds it equal to scimmy's output.
 */
export function scimUser(
  user: UserRecord,
  baseUrl: string,
  cat: ResourceCatalogue = catalogue('User'),
): Record<string, unknown> {
  const doc = userDocument(user, cat);
  doc.meta = {
    resourceType: 'User',
    created: user.createdAt.toISOString(),
    lastModified: user.updatedAt.toISOString(),
    location: `${baseUrl}/Users/${user.id}`,
    version: userVersion(user),
  };
  if (user.groups)
    doc.groups = user.groups.map((g) => ({
      value: g.value,
      $ref: `${baseUrl}/Groups/${g.value}`,
      display: g.display,
      type: g.type,
    }));
  return doc;
}

export function userVersion(user: { version: number }): string {
  return `W/"${user.version}"`;
}
