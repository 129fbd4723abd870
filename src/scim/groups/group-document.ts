import type { GroupRecord, MemberType } from '../../groups/groups.js';
import { badRequest } from '../../http/http-error.js';
import { catalogue } from '../../schema/catalogue.js';
import { checkDocument } from '../attributes/check-value.js';
import { isPlainObject, normalizeInbound, withScimmy } from '../attributes/coerce.js';
import { checkNameLength } from '../attributes/limits.js';
import { GROUP_SCHEMA, scimmy } from '../../schema/scimmy.js';
import { reportIfUnregistered, type UnregisteredSink } from '../attributes/registered-extensions.js';

export interface MemberInput {
  value: string;
  display: string | null;
  type?: MemberType;
}

export interface GroupInput {
  displayName: string;
  externalId: string | null;
  /** undefined when the body has no `members` (PUT then leaves them as they are? no: RFC 7644 §3.5.1 replaces). */
  members: MemberInput[];
}

/**
 * A SCIM Group body → displayName, externalId and members. Members are read here rather than by
 * scimmy: they are stored as rows (changed as deltas), and `display` is kept as the client sent it
 * (Okta checks it is echoed); `displayName` on a member is read as `display` (Microsoft's collection sends it).
 */
export function groupInputFromScim(body: unknown, unregistered: UnregisteredSink = () => undefined): GroupInput {
  if (!isPlainObject(body)) throw badRequest('The body must be a JSON object holding a SCIM Group', 'invalidSyntax');
  const { members: rawMembers, ...rest } = lowerKeyed(body, 'members');
  // Groups take no registered extensions: an extension's attributes are accepted, reported, not kept.
  for (const [key, value] of Object.entries(rest)) reportIfUnregistered(catalogue('Group'), key, value, unregistered);
  const normalized = normalizeInbound(rest, catalogue('Group'));
  checkDocument(normalized, catalogue('Group'));
  const coerced = withScimmy(
    () => JSON.parse(JSON.stringify(new (scimmy().Schemas.Group)(normalized, 'in'))) as Record<string, unknown>,
  );
  const displayName = coerced.displayName;
  if (typeof displayName !== 'string' || !displayName.trim())
    throw badRequest("Required attribute 'displayName' is missing", 'invalidValue');
  const externalId = typeof coerced.externalId === 'string' ? coerced.externalId : null;
  checkNameLength('displayName', displayName);
  checkNameLength('externalId', externalId);
  return {
    displayName,
    externalId,
    members: rawMembers === undefined || rawMembers === null ? [] : parseMembers(rawMembers, 'members'),
  };
}

/** Pulls one attribute out of a body whatever its case. */
function lowerKeyed(body: Record<string, unknown>, name: string): Record<string, unknown> & { members?: unknown } {
  const out: Record<string, unknown> = {};
  let found: unknown;
  for (const [k, v] of Object.entries(body)) {
    if (k.toLowerCase() === name) found = v;
    else out[k] = v;
  }
  return { ...out, members: found };
}

/** Member values as sent in a body or a PATCH value: an array of {value, display?, type?}. */
export function parseMembers(raw: unknown, where: string): MemberInput[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((item, i) => {
    if (!isPlainObject(item)) {
      throw badRequest(`${where}[${i}] must be an object such as {"value": "<user or group id>"}`, 'invalidValue');
    }
    const fields = Object.fromEntries(Object.entries(item).map(([k, v]) => [k.toLowerCase(), v]));
    const value = fields.value;
    if (typeof value !== 'string' || !value)
      throw badRequest(`${where}[${i}].value must be the id of a user or group`, 'invalidValue');
    const display =
      typeof fields.display === 'string'
        ? fields.display
        : typeof fields.displayname === 'string'
          ? fields.displayname
          : null;
    checkNameLength(`${where}[${i}].display`, display);
    const type = typeof fields.type === 'string' ? fields.type.toLowerCase() : undefined;
    if (type !== undefined && type !== 'user' && type !== 'group')
      throw badRequest(`${where}[${i}].type must be "User" or "Group"`, 'invalidValue');
    return { value, display, ...(type ? { type: type === 'user' ? ('User' as const) : ('Group' as const) } : {}) };
  });
}

export function groupVersion(group: { version: number }): string {
  return `W/"${group.version}"`;
}

/** The response representation (RFC 7643 §4.2). `members` is present, possibly empty, whenever it was loaded. */
export function scimGroup(group: GroupRecord, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    ...(group.externalId !== null ? { externalId: group.externalId } : {}),
    displayName: group.displayName,
    ...(group.members
      ? {
          members: group.members.map((m) => ({
            value: m.value,
            $ref: `${baseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.value}`,
            ...(m.display !== null ? { display: m.display } : {}),
            type: m.type,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${baseUrl}/Groups/${group.id}`,
      version: groupVersion(group),
    },
  };
}
