import { isStorableTimestamp } from '../../db/timestamp.js';
import { badRequest } from '../../http/http-error.js';
import { resolveExtension, type AttrDef, type AttrType, type ResourceCatalogue } from '../../schema/catalogue.js';

/**
 * Checks a value against its attribute's definition (RFC 7643 §2.3 data types, §2.4 multi-valued,
 * §7 sub-attributes) before scimmy coerces it, so that a wrong value is refused in keyscope's words,
 * naming the attribute as the client wrote its path. Only the shape is checked here; scimmy still
 * coerces what passes (and its own refusals are worded by describeScimmyError).
 */
export interface CheckOptions {
  /**
   * Refuse sub-attributes the attribute does not have (PATCH values, RFC 7644 §3.5.2: invalidPath).
   * Bodies leave them to scimmy, which drops unknown attributes as it does at the top level.
   */
  strict: boolean;
}

/** A value for `def`; a multi-valued attribute takes a list, or (`loneElement`) one element as PATCH add allows. */
export function checkValue(
  value: unknown,
  def: AttrDef,
  name: string,
  options: CheckOptions,
  loneElement = false,
): void {
  if (value === null || value === undefined) return;
  if (def.multiValued) {
    if (Array.isArray(value)) {
      for (const element of value) checkElement(element, def, name, options);
    } else if (loneElement) {
      checkElement(value, def, name, options);
    } else {
      refuse(`"${name}" is multi-valued: send a list of values, not ${kindOf(value)}`);
    }
    return;
  }
  if (Array.isArray(value)) refuse(`"${name}" is single-valued: send one value, not a list`);
  checkSingle(value, def, name, options);
}

/** One element of a multi-valued attribute (`emails[type eq "work"]` names elements). */
export function checkElement(value: unknown, def: AttrDef, name: string, options: CheckOptions): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) refuse(`"${name}" holds values, not lists of values`);
  checkSingle(value, def, name, options);
}

/** The object of an extension's attributes (`urn:…:enterprise:2.0:User` as a whole). */
export function checkExtension(
  value: unknown,
  attributes: ReadonlyMap<string, AttrDef>,
  urn: string,
  options: CheckOptions,
): void {
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) refuse(`"${urn}" must be an object of the extension's attributes, not ${kindOf(value)}`);
  for (const [key, v] of Object.entries(value)) {
    const def = attributes.get(key.toLowerCase());
    if (!def) {
      if (options.strict) refuse(`"${urn}" has no attribute "${key}"`, 'invalidPath');
      continue;
    }
    checkValue(v, def, `${urn}:${def.name}`, options);
  }
}

/** A POST or PUT body, normalized (coerce.ts normalizeInbound): every attribute the resource type has. */
export function checkDocument(doc: Record<string, unknown>, cat: ResourceCatalogue): void {
  const options = { strict: false };
  for (const [key, value] of Object.entries(doc)) {
    const extension = resolveExtension(cat, key);
    if (extension) {
      checkExtension(value, extension.attributes, extension.id, options);
      continue;
    }
    const def = cat.core.attributes.get(key.toLowerCase());
    if (def && def.mutability !== 'readOnly' && key.toLowerCase() !== 'schemas')
      checkValue(value, def, def.name, options);
  }
}

function checkSingle(value: unknown, def: AttrDef, name: string, options: CheckOptions): void {
  if (def.type === 'complex') {
    if (!isPlainObject(value)) refuse(`"${name}" must be an object of its sub-attributes, not ${kindOf(value)}`);
    for (const [key, v] of Object.entries(value)) {
      const sub = def.sub?.get(key.toLowerCase());
      if (!sub) {
        if (options.strict) refuse(`"${name}" has no sub-attribute "${key}"`, 'invalidPath');
        continue;
      }
      checkValue(v, sub, `${name}.${sub.name}`, options);
    }
    return;
  }
  if (!fits(value, def.type)) refuse(`"${name}" must be ${TYPE_WORDS[def.type]}, not ${kindOf(value)}`);
  // Beyond 2^53 JSON numbers lose digits: the value stored would not be the value sent.
  if (def.type === 'integer' && !Number.isSafeInteger(value))
    refuse(`"${name}" must be a whole number between ${-Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`);
}

function fits(value: unknown, type: AttrType): boolean {
  switch (type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'decimal':
      return typeof value === 'number' && Number.isFinite(value);
    case 'dateTime':
      // A value PostgreSQL reads as the same instant (no 30 February), so filters and sorting can cast it.
      return typeof value === 'string' && isStorableTimestamp(value);
    default:
      return typeof value === 'string';
  }
}

export const TYPE_WORDS: Record<AttrType, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  decimal: 'a number',
  dateTime: 'a date-time such as "2024-01-31T00:00:00Z"',
  reference: 'a URI (a string)',
  binary: 'base64-encoded binary (a string)',
  complex: 'an object of its sub-attributes',
};

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a JSON value is, in words. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function refuse(detail: string, scimType: 'invalidValue' | 'invalidPath' = 'invalidValue'): never {
  throw badRequest(detail, scimType);
}
