import { HttpError, badRequest, type ScimType } from '../../http/http-error.js';
import type { AttrDef, ResourceCatalogue } from '../../schema/catalogue.js';
import { resolveExtension } from '../../schema/catalogue.js';
import { isPlainObject, TYPE_WORDS } from './check-value.js';
import { checkValueCount } from './limits.js';
import { scimmy } from '../../schema/scimmy.js';

export { isPlainObject };

/** Where a scimmy call works: the prefix of messages (`Operation 2: `) and the path it was given. */
export interface ScimmyContext {
  where?: string;
  path?: string;
}

/**
 * Runs scimmy and turns what it throws (its SCIMError, and TypeError for wrong values, which may be
 * a JavaScript engine's message) into a 400 in keyscope's words (describeScimmyError); scimmy's own
 * text never reaches the client.
 */
export function withScimmy<T>(work: () => T, context: ScimmyContext = {}): T {
  try {
    return work();
  } catch (error) {
    throw scimmyErrorAsHttp(error, context);
  }
}

/** The HttpError for what scimmy threw; anything else is rethrown as it is (a server fault). */
export function scimmyErrorAsHttp(error: unknown, context: ScimmyContext = {}): unknown {
  const S = scimmy();
  if (error instanceof S.Types.Error) {
    const e = error as unknown as { status: number; scimType?: string; message: string };
    const scimType = (e.scimType as ScimType | undefined) ?? 'invalidValue';
    return new HttpError(
      e.status >= 400 && e.status < 500 ? e.status : 400,
      scimType,
      `${context.where ?? ''}${describeScimmyError(e.message, scimType, context.path)}`,
      { scimType },
    );
  }
  if (error instanceof TypeError || error instanceof SyntaxError)
    return badRequest(`${context.where ?? ''}${describeScimmyError(error.message, 'invalidValue', context.path)}`);
  return error;
}

const REFERENCE_WORDS: Record<string, string> = {
  external: 'an absolute URL',
  uri: 'a URI',
  User: 'the URI of a User',
  Group: 'the URI of a Group',
};

/** What scimmy says, as keyscope says it: the attribute named by its path, the expected type in words. */
const SCIMMY_MESSAGES: [RegExp, (name: string, m: RegExpExecArray) => string][] = [
  [/^Required attribute '([^']+)' is missing/, (name) => `"${name}" is required`],
  [
    /^Attribute '([^']+)' expected value type 'reference' to refer to one of: (.*?)(?: from complex| in schema| for '|$)/,
    (name, m) => {
      const types = [...(m[2] ?? '').matchAll(/'([^']+)'/g)].map((t) => REFERENCE_WORDS[t[1]!] ?? `a ${t[1]} URI`);
      return `"${name}" must be ${types.join(' or ') || 'a URI'}`;
    },
  ],
  [/^Attribute '([^']+)' expected value type 'binary'/, (name) => `"${name}" must be ${TYPE_WORDS.binary}`],
  [/^Attribute '([^']+)' expected value to be a valid date/, (name) => `"${name}" must be ${TYPE_WORDS.dateTime}`],
  [
    /^Attribute '([^']+)' expected value type '(\w+)' but found type '(\w+)'/,
    (name, m) =>
      `"${name}" must be ${TYPE_WORDS[m[2] as keyof typeof TYPE_WORDS] ?? `of type ${m[2]}`}, not ${FOUND_WORDS[m[3]!] ?? m[3]}`,
  ],
  [
    /^Attribute '([^']+)' expected single value of type '(\w+)'/,
    (name, m) => `"${name}" must be ${TYPE_WORDS[m[2] as keyof typeof TYPE_WORDS] ?? `of type ${m[2]}`}, not a list`,
  ],
  [
    /^Complex attribute '([^']+)' expected complex value but found type '(\w+)'/,
    (name, m) => `"${name}" must be an object of its sub-attributes, not ${FOUND_WORDS[m[2]!] ?? m[2]}`,
  ],
  [
    /^Attribute '([^']+)' is not multi-valued and must not be a collection/,
    (name) => `"${name}" is single-valued: send one value, not a list`,
  ],
  [/^Attribute '([^']+)' expected to be a collection/, (name) => `"${name}" is multi-valued: send a list of values`],
  [
    /^The request body supplied a schema type that is incompatible with this resource/,
    () => '"schemas" names a schema this resource does not have',
  ],
];

const FOUND_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  complex: 'an object',
  collection: 'a list',
  dateTime: 'a date-time',
  integer: 'a whole number',
  decimal: 'a number with a fraction',
  null: 'null',
};

/**
 * A scimmy error message in keyscope's words. The attribute is named by its full path (scimmy
 * says "from complex attribute 'name'", "in schema extension 'urn:…'"); a message keyscope does not
 * know (a JavaScript engine's, reached through scimmy) becomes a plain statement of what was wrong
 * at `path`, by scimType.
 */
export function describeScimmyError(message: string, scimType: ScimType, path: string | undefined): string {
  for (const [pattern, words] of SCIMMY_MESSAGES) {
    const m = pattern.exec(message);
    if (!m) continue;
    const parent = /from complex attribute '([^']+)'/.exec(message)?.[1];
    const extension = /in schema extension '([^']+)'/.exec(message)?.[1];
    const attribute = m[1] ?? '';
    const name = `${extension ? `${extension}:` : ''}${parent ? `${parent}.` : ''}${attribute}`;
    return words(name || (path ?? ''), m);
  }
  const at = path ? ` "${path}"` : '';
  switch (scimType) {
    case 'noTarget':
      return `nothing matches the path${at} (RFC 7644 §3.5.2)`;
    case 'invalidPath':
      return `the path${at}, or a name inside its value, is not an attribute this resource has`;
    case 'invalidFilter':
      return `the value filter${at} is not valid (RFC 7644 §3.4.2.2)`;
    case 'invalidSyntax':
      return 'the request is not a valid SCIM message';
    default:
      return path
        ? `the value given for "${path}" does not fit that attribute (RFC 7643 §2.3)`
        : 'a value does not fit its attribute (RFC 7643 §2.3)';
  }
}

/**
 * What Entra ID and other clients send that scimmy would refuse, made RFC-shaped first (DESIGN §6):
 * booleans as the strings "True"/"False", a complex attribute given as a plain id string
 * (`manager: "id"` → `{value: "id"}`), and null or "" meaning "no value" (RFC 7644 §3.5.1).
 */
export function normalizeInbound(doc: Record<string, unknown>, cat: ResourceCatalogue): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(doc)) {
    if (rawKey.toLowerCase() === 'schemas') {
      out[rawKey] = Array.isArray(value)
        ? value.map((urn) => (typeof urn === 'string' ? rfcUrn(urn, cat) : urn))
        : value;
      continue;
    }
    const key = rfcUrn(rawKey, cat);
    const extension = resolveExtension(cat, key);
    if (extension) {
      if (isPlainObject(value))
        out[extension.id] = normalizeAttributes(value, extension.attributes, `${extension.id}:`);
      else if (value !== null && value !== '') {
        throw badRequest(`"${extension.id}" must be an object of the extension's attributes`, 'invalidValue');
      }
      continue;
    }
    const def = cat.core.attributes.get(key.toLowerCase());
    const normalized = def ? normalizeValue(value, def) : value;
    if (normalized !== undefined) out[key] = normalized;
  }
  return out;
}

/**
 * The schema URNs of the SCIM 2.0 drafts, before RFC 7643 fixed them (`urn:scim:schemas:core:2.0`,
 * `urn:scim:schemas:extension:enterprise:2.0`), which OneLogin's SCIM v2 connector still sends by
 * default: the same schemas, named as RFC 7643 §8.7 names them. Any other name is returned as it is.
 */
function rfcUrn(urn: string, cat: ResourceCatalogue): string {
  const lower = urn.toLowerCase();
  if (lower === 'urn:scim:schemas:core:2.0') return cat.core.id;
  if (lower === 'urn:scim:schemas:extension:enterprise:2.0') {
    const enterprise = cat.extensions.find((e) =>
      e.id.toLowerCase().startsWith('urn:ietf:params:scim:schemas:extension:enterprise:2.0:'),
    );
    if (enterprise) return enterprise.id;
  }
  return urn;
}

/** `prefix` makes the names in messages paths: `name.`, `urn:…:enterprise:2.0:User:`. */
function normalizeAttributes(
  obj: Record<string, unknown>,
  defs: ReadonlyMap<string, AttrDef>,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = defs.get(key.toLowerCase());
    const normalized = def ? normalizeValue(value, def, `${prefix}${def.name}`) : value;
    if (normalized !== undefined) out[key] = normalized;
  }
  return out;
}

/** Returns undefined when the value means "unassigned". `name` is the attribute's path, for messages. */
export function normalizeValue(value: unknown, def: AttrDef, name: string = def.name): unknown {
  if (value === null || value === '') return undefined;
  if (def.multiValued) {
    // OneLogin's documented user templates send `"emails": {value, type, primary}`: one value of a
    // multi-valued complex attribute, not in a list. It is that one value (a list of one).
    if (def.type === 'complex' && isPlainObject(value)) return [value].map((v) => normalizeSingle(v, def, name));
    if (!Array.isArray(value)) return value;
    checkValueCount(name, value);
    const items = value.map((v) => normalizeSingle(v, def, name)).filter((v) => v !== undefined);
    return items;
  }
  if (Array.isArray(value)) {
    // Microsoft's documented add-manager request sends the single-valued manager as a one-element array.
    if (def.type === 'complex' && value.length === 1) return normalizeSingle(value[0], def, name);
    throw badRequest(`"${name}" is single-valued: send one value, not a list of ${value.length}`, 'invalidValue');
  }
  return normalizeSingle(value, def, name);
}

function normalizeSingle(value: unknown, def: AttrDef, name: string): unknown {
  if (value === null || value === '') return undefined;
  if (def.type === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  if (def.type === 'complex') {
    if (typeof value === 'string' && def.sub?.has('value')) return { value };
    if (isPlainObject(value) && def.sub)
      return normalizeAttributes(managerIdAsValue(value, def, name), def.sub, `${name}.`);
  }
  return value;
}

/**
 * The enterprise `manager` with SCIM 1.1's sub-attribute name `managerId` (draft enterprise schema;
 * OneLogin's templates still send it) is `manager.value`. Both, different, is a 400: which one the
 * client meant cannot be told.
 */
function managerIdAsValue(value: Record<string, unknown>, def: AttrDef, name: string): Record<string, unknown> {
  if (def.name !== 'manager') return value;
  const idKey = Object.keys(value).find((k) => k.toLowerCase() === 'managerid');
  if (idKey === undefined) return value;
  const { [idKey]: managerId, ...rest } = value;
  const valueKey = Object.keys(rest).find((k) => k.toLowerCase() === 'value');
  const given = valueKey === undefined ? undefined : rest[valueKey];
  if (given === undefined || given === null || given === '') return { ...rest, value: managerId };
  if (managerId === null || managerId === '' || managerId === given) return rest;
  throw badRequest(`"${name}.value" and "${name}.managerId" name different managers; send one`, 'invalidValue');
}
