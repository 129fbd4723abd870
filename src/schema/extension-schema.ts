import { invalid } from '../errors/domain-error.js';
import type { AttrDef, AttrType, Mutability, Returned, SchemaAttrs } from './catalogue.js';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA } from './scimmy.js';

/**
 * An extension schema an organization registers for its users (RFC 7643 §7): the schema document as
 * /Schemas serves it, and the attribute definitions filters, PATCH paths and type checks use.
 * parseExtensionSchema refuses, with the attribute named, whatever keyscope cannot honour.
 */
export interface ExtensionSchema {
  /** The URN, as registered (compared case-insensitively, RFC 7643 §2.1). */
  id: string;
  name: string | null;
  description: string | null;
  attributes: SchemaAttrs['attributes'];
  /** The schema document, normalized: every characteristic spelled out (RFC 7643 §2.2 defaults). */
  document: ExtensionSchemaDocument;
}

export interface ExtensionAttributeDocument {
  name: string;
  type: AttrType;
  multiValued: boolean;
  description: string;
  required: false;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none';
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: ExtensionAttributeDocument[];
}

export interface ExtensionSchemaDocument {
  id: string;
  name: string | null;
  description: string | null;
  attributes: ExtensionAttributeDocument[];
}

export const MAX_EXTENSION_ATTRIBUTES = 100;
const MAX_SUB_ATTRIBUTES = 50;
const MAX_CANONICAL_VALUES = 100;
const MAX_TEXT = 1000;

// RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA; `$ref` too (§2.3.7).
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]{0,63}|\$ref)$/;
// RFC 8141 in short: urn:<NID>:<NSS>.
// No '/', '?' or '#' (RFC 8141 components): the URN is a path segment of the admin API and of /Schemas.
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[A-Za-z0-9()+,\-.:=@;$_!*'%]+$/;
const TYPES: readonly AttrType[] = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference', 'complex'];
const RETURNED: readonly Returned[] = ['always', 'default', 'request', 'never'];
const BUILT_IN = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA].map((s) => s.toLowerCase());

const refuse = (field: string, message: string) =>
  invalid(`${field}: ${message}`, 'invalidValue', [{ field, message }]);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalText(doc: Record<string, unknown>, key: string, field: string): string | null {
  const value = doc[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_TEXT)
    throw refuse(field, `must be a string of at most ${MAX_TEXT} characters`);
  return value;
}

function flag(doc: Record<string, unknown>, key: string, field: string, fallback: boolean): boolean {
  const value = doc[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw refuse(`${field}.${key}`, 'must be true or false');
  return value;
}

/**
 * Reads and checks an RFC 7643 §7 schema document for a User extension. What keyscope refuses, and why:
 * - `required: true`: the extension is optional on every user (`/ResourceTypes` says `required: false`),
 *   and users the identity provider created before the schema was registered have no value.
 * - `uniqueness` other than `none`: values are kept in the user's document, with no index to enforce it.
 * - `mutability` `readOnly` (only a service provider sets those, and keyscope computes none) and
 *   `immutable` (keyscope cannot tell a first assignment from a change once values are replaced whole).
 * - type `binary`: it cannot be filtered or sorted on.
 * - a complex attribute inside a complex attribute (RFC 7643 §2.3.8: sub-attributes are not complex).
 * - a URN that is a core schema, the Enterprise User extension, or not a URN at all.
 */
export function parseExtensionSchema(body: unknown): ExtensionSchema {
  if (!isObject(body)) throw refuse('body', 'must be a JSON object holding an RFC 7643 §7 schema document');
  const id = body.id;
  if (typeof id !== 'string' || !URN.test(id) || id.endsWith(':') || id.length > 300)
    throw refuse('id', 'must be the schema URN, such as "urn:ietf:params:scim:schemas:extension:acme:2.0:User"');
  if (BUILT_IN.includes(id.toLowerCase()))
    throw refuse('id', `${id} is built into keyscope; register extensions under a URN of your own`);
  const name = optionalText(body, 'name', 'name');
  const description = optionalText(body, 'description', 'description');
  const attributes = body.attributes;
  if (!Array.isArray(attributes) || attributes.length === 0)
    throw refuse('attributes', 'must be a non-empty list of attribute definitions');
  if (attributes.length > MAX_EXTENSION_ATTRIBUTES)
    throw refuse('attributes', `holds at most ${MAX_EXTENSION_ATTRIBUTES} attributes`);
  const docs = readAttributes(attributes, 'attributes', true);
  const document: ExtensionSchemaDocument = { id, name, description, attributes: docs };
  return { id, name, description, attributes: definitionsOf(docs), document };
}

function readAttributes(list: unknown[], field: string, top: boolean): ExtensionAttributeDocument[] {
  const seen = new Set<string>();
  return list.map((raw, i) => {
    const at = `${field}[${i}]`;
    const attribute = readAttribute(raw, at, top);
    const lower = attribute.name.toLowerCase();
    if (seen.has(lower))
      throw refuse(`${at}.name`, `"${attribute.name}" is defined twice (names are case-insensitive)`);
    seen.add(lower);
    return attribute;
  });
}

function readAttribute(raw: unknown, at: string, top: boolean): ExtensionAttributeDocument {
  if (!isObject(raw)) throw refuse(at, 'must be an attribute definition object');
  const name = raw.name;
  if (typeof name !== 'string' || !ATTR_NAME.test(name))
    throw refuse(`${at}.name`, 'must start with a letter and hold only letters, digits, "-" and "_" (RFC 7643 §2.1)');
  const where = `${at} (${name})`;
  const type = raw.type;
  if (type === 'binary') throw refuse(`${where}.type`, 'binary is not supported: it cannot be filtered or sorted on');
  if (typeof type !== 'string' || !TYPES.includes(type as AttrType))
    throw refuse(`${where}.type`, `must be one of ${TYPES.join(', ')}`);
  if (type === 'complex' && !top) throw refuse(`${where}.type`, 'a sub-attribute cannot be complex (RFC 7643 §2.3.8)');
  if (flag(raw, 'required', where, false))
    throw refuse(
      `${where}.required`,
      'must be false: registered extensions are optional on every user, so keyscope cannot require an attribute',
    );
  const mutability = raw.mutability ?? 'readWrite';
  if (mutability !== 'readWrite' && mutability !== 'writeOnly') {
    throw refuse(
      `${where}.mutability`,
      mutability === 'readOnly' || mutability === 'immutable'
        ? `${String(mutability)} is not supported: the identity provider sets registered attributes, so they are readWrite (or writeOnly)`
        : 'must be readWrite or writeOnly',
    );
  }
  const returned = raw.returned ?? (mutability === 'writeOnly' ? 'never' : 'default');
  if (typeof returned !== 'string' || !RETURNED.includes(returned as Returned))
    throw refuse(`${where}.returned`, `must be one of ${RETURNED.join(', ')}`);
  if (mutability === 'writeOnly' && returned !== 'never')
    throw refuse(`${where}.returned`, 'a writeOnly attribute is never returned (RFC 7643 §2.2): use "never"');
  const uniqueness = raw.uniqueness ?? 'none';
  if (uniqueness !== 'none')
    throw refuse(
      `${where}.uniqueness`,
      'must be "none": keyscope keeps these values in the user\'s document and cannot enforce uniqueness',
    );
  if (!top && (mutability !== 'readWrite' || returned !== 'default'))
    throw refuse(
      where,
      'a sub-attribute is written and returned with its attribute: leave its mutability and returned unset',
    );
  const description = optionalText(raw, 'description', `${where}.description`) ?? '';
  const out: ExtensionAttributeDocument = {
    name,
    type: type as AttrType,
    multiValued: flag(raw, 'multiValued', where, false),
    description,
    required: false,
    caseExact: flag(raw, 'caseExact', where, false),
    mutability,
    returned: returned as Returned,
    uniqueness: 'none',
  };
  if (raw.canonicalValues !== undefined) {
    const values = raw.canonicalValues;
    if (
      !Array.isArray(values) ||
      values.length > MAX_CANONICAL_VALUES ||
      !values.every((v) => typeof v === 'string' && v.length <= 200)
    )
      throw refuse(`${where}.canonicalValues`, `must be a list of at most ${MAX_CANONICAL_VALUES} strings`);
    out.canonicalValues = values as string[];
  }
  if (type === 'reference') {
    const types = raw.referenceTypes ?? ['external'];
    if (!Array.isArray(types) || !types.length || !types.every((t) => typeof t === 'string' && t.length <= 100))
      throw refuse(`${where}.referenceTypes`, 'must be a list of strings such as ["external"] or ["User"]');
    out.referenceTypes = types as string[];
  }
  if (type === 'complex') {
    const subs = raw.subAttributes;
    if (!Array.isArray(subs) || subs.length === 0)
      throw refuse(`${where}.subAttributes`, 'a complex attribute must define its sub-attributes');
    if (subs.length > MAX_SUB_ATTRIBUTES)
      throw refuse(`${where}.subAttributes`, `holds at most ${MAX_SUB_ATTRIBUTES} sub-attributes`);
    out.subAttributes = readAttributes(subs, `${where}.subAttributes`, false);
  } else if (raw.subAttributes !== undefined) {
    throw refuse(`${where}.subAttributes`, 'only a complex attribute has sub-attributes');
  }
  return out;
}

function definitionsOf(docs: ExtensionAttributeDocument[]): Map<string, AttrDef> {
  return new Map(
    docs.map((d) => {
      const def: AttrDef = {
        name: d.name,
        type: d.type,
        multiValued: d.multiValued,
        caseExact: d.caseExact,
        returned: d.returned,
        mutability: d.mutability,
        ...(d.subAttributes ? { sub: definitionsOf(d.subAttributes) } : {}),
      };
      return [d.name.toLowerCase(), def];
    }),
  );
}

/** A stored schema document back into an ExtensionSchema (it was checked when registered). */
export function extensionFromDocument(document: ExtensionSchemaDocument): ExtensionSchema {
  return {
    id: document.id,
    name: document.name,
    description: document.description,
    attributes: definitionsOf(document.attributes),
    document,
  };
}
