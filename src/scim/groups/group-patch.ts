import type { GroupChange } from '../../groups/groups-service.js';
import { badRequest } from '../../http/http-error.js';
import type { FilterNode } from '../../schema/filter-ast.js';
import { readPatchRequest, type RawOperation } from '../patch-request.js';
import { catalogue } from '../../schema/catalogue.js';
import { isPlainObject } from '../attributes/coerce.js';
import { checkNameLength } from '../attributes/limits.js';
import { parsePatchPath } from '../attributes/patch-path.js';
import { parseMembers } from './group-document.js';

/**
 * The most member operations with a filter other than `value eq` (`members[display co "x"]`,
 * `members[type eq "Group"]`) one PATCH may carry. Each reads every member of the group while it is
 * locked, so their cost is the group's size, not the request's; operations that name their members
 * (`members[value eq "id"]`, `members` with a value array: what Okta and Entra ID send) have no limit
 * of their own.
 */
export const MAX_FILTERED_MEMBER_OPERATIONS = 10;

/**
 * Turns a Group PatchOp into ordered changes the service applies as SQL deltas, never a rewrite of
 * the member list (scimmy's PatchOp reads, modifies and rewrites the whole resource, which is
 * O(group size) and loses concurrent additions). Covers both of Entra's dialects: `Remove` on
 * `members` with a value array removes those members (not all of them), and `members[value eq "id"]`.
 */
export function planGroupPatch(body: unknown): GroupChange[] {
  const changes = readPatchRequest(body).flatMap(planOperation);
  const filtered = changes.filter((c) => c.kind === 'removeMembersWhere').length;
  if (filtered > MAX_FILTERED_MEMBER_OPERATIONS) {
    // RFC 7644 §3.12: tooMany applies to PATCH path filters the server will not process.
    throw badRequest(
      `This PATCH has ${filtered} member operations with a filter other than value eq (such as members[display co "x"]); at most ${MAX_FILTERED_MEMBER_OPERATIONS} are allowed in one request, because each reads every member of the group. Send them in several requests, or name the members (members[value eq "id"], or a value array), which has no such limit`,
      'tooMany',
    );
  }
  return coalesceRemovals(changes);
}

/**
 * Runs of removals become one statement each: consecutive removals by id (Okta sends one
 * `members[value eq "id"]` per member) one keyed delete, and consecutive filtered removals one
 * delete through the `or` of their filters, which reads the group once. A filter looks at one member
 * row only, so removing what A selects and then what B selects removes what either selects.
 */
function coalesceRemovals(changes: GroupChange[]): GroupChange[] {
  const out: GroupChange[] = [];
  for (const c of changes) {
    const last = out[out.length - 1];
    if (c.kind === 'removeMembers' && last?.kind === 'removeMembers') last.ids.push(...c.ids);
    else if (c.kind === 'removeMembersWhere' && last?.kind === 'removeMembersWhere') {
      out[out.length - 1] = { kind: 'removeMembersWhere', filter: { kind: 'or', left: last.filter, right: c.filter } };
    } else out.push(c.kind === 'removeMembers' ? { kind: 'removeMembers', ids: [...c.ids] } : c);
  }
  return out;
}

function planOperation(op: RawOperation): GroupChange[] {
  if (op.path === undefined) {
    if (!isPlainObject(op.value))
      throw badRequest(`Operation ${op.index}: without a path, value must be an object of attributes`, 'invalidValue');
    return Object.entries(op.value).flatMap(([key, value]) => planAttribute(op, key.toLowerCase(), value));
  }
  const path = parsePatchPath(catalogue('Group'), op.path);
  if (!path) throw badRequest(`Operation ${op.index}: "${op.path}" is not an attribute path of a Group`, 'invalidPath');
  const name = path.attr.name.toLowerCase();
  if (name !== 'members') {
    if (path.filter || path.sub)
      throw badRequest(`Operation ${op.index}: "${op.path}" is not an attribute path of a Group`, 'invalidPath');
    return planAttribute(op, name, op.value, true);
  }
  if (path.sub)
    throw badRequest(
      `Operation ${op.index}: change members as a whole ("members" or "members[value eq \\"id\\"]"), not "${op.path}"`,
      'invalidPath',
    );
  if (path.filter) {
    const remove: GroupChange = idsOf(path.filter)
      ? { kind: 'removeMembers', ids: idsOf(path.filter)! }
      : { kind: 'removeMembersWhere', filter: path.filter };
    if (op.op === 'remove') return [remove];
    if (op.op === 'replace')
      return [remove, { kind: 'addMembers', members: parseMembers(op.value, `Operation ${op.index} value`) }];
    return [{ kind: 'addMembers', members: parseMembers(op.value, `Operation ${op.index} value`) }];
  }
  return planMembers(op, op.value);
}

function planAttribute(op: RawOperation, name: string, value: unknown, explicitPath = false): GroupChange[] {
  switch (name) {
    case 'members':
      return planMembers(op, value);
    case 'displayname':
      if (op.op === 'remove' || value === null || value === '') {
        throw badRequest(`Operation ${op.index}: displayName is required and cannot be removed`, 'invalidValue');
      }
      if (typeof value !== 'string')
        throw badRequest(`Operation ${op.index}: displayName must be a string`, 'invalidValue');
      checkNameLength(`Operation ${op.index}: displayName`, value);
      return [{ kind: 'setDisplayName', value }];
    case 'externalid':
      if (op.op === 'remove' || value === null || value === '') return [{ kind: 'setExternalId', value: null }];
      if (typeof value !== 'string')
        throw badRequest(`Operation ${op.index}: externalId must be a string`, 'invalidValue');
      checkNameLength(`Operation ${op.index}: externalId`, value);
      return [{ kind: 'setExternalId', value }];
    case 'id':
    case 'meta':
    case 'schemas':
      // Okta sends the read-only id inside a pathless replace when renaming: tolerated there.
      if (explicitPath) throw badRequest(`Operation ${op.index}: "${name}" is read-only`, 'mutability');
      return [];
    default:
      return []; // unknown attributes are ignored, as in POST and PUT bodies
  }
}

function planMembers(op: RawOperation, value: unknown): GroupChange[] {
  const where = `Operation ${op.index} value`;
  if (op.op === 'remove') {
    // Entra without aadOptscim062020: remove "members" with a value array means remove those members.
    if (value === undefined || value === null) return [{ kind: 'removeAllMembers' }];
    return [{ kind: 'removeMembers', ids: parseMembers(value, where).map((m) => m.value) }];
  }
  if (op.op === 'replace') {
    if (value === null || (Array.isArray(value) && !value.length)) return [{ kind: 'removeAllMembers' }];
    return [{ kind: 'replaceMembers', members: parseMembers(value, where) }];
  }
  if (value === null || (Array.isArray(value) && !value.length)) return [];
  return [{ kind: 'addMembers', members: parseMembers(value, where) }];
}

/** `value eq "a"` or `value eq "a" or value eq "b"`: the ids, so removal is a plain keyed delete. */
function idsOf(filter: FilterNode): string[] | undefined {
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.toLowerCase() === 'value' &&
    typeof filter.value === 'string'
  )
    return [filter.value];
  if (filter.kind === 'or') {
    const left = idsOf(filter.left);
    const right = idsOf(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  return undefined;
}
