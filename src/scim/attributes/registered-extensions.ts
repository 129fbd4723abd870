import { badRequest } from '../../http/http-error.js';
import type { AttrDef, ResourceCatalogue, SchemaAttrs } from '../../schema/catalogue.js';
import { registeredExtension, resolveExtension } from '../../schema/catalogue.js';
import { formatFilter } from '../../schema/filter-format.js';
import { scimmy } from '../../schema/scimmy.js';
import type { UnregisteredAttribute } from '../../users/scim-schemas-service.js';
import { checkExtension, isPlainObject } from './check-value.js';
import { withScimmy } from './coerce.js';
import { elementFromEqFilter, type PatchPath } from './patch-path.js';

/**
 * Values of the extensions an organization registered (POST /api/v1/scim-schemas). scimmy knows only
 * the built-in schemas, so keyscope keeps these itself: checked against the registered definitions
 * (check-value.ts, so a wrong type is refused in keyscope's words), stored under the schema URN with
 * the registered spelling of every name, and patched here (applyRegisteredOperation).
 */

/** Collects the attributes of unregistered extensions a request carried (reported, never silently dropped). */
export type UnregisteredSink = (attribute: UnregisteredAttribute) => void;

/**
 * A URN-qualified key of a body (or of a pathless PATCH value) that no schema of `cat` knows: an
 * object value is an extension (`urn:…:acme:2.0:User: {costCenter}`), anything else one attribute
 * (`urn:…:acme:2.0:User:costCenter`). Reports its attributes and says whether the key was one.
 */
export function reportIfUnregistered(
  cat: ResourceCatalogue,
  key: string,
  value: unknown,
  sink: UnregisteredSink,
): boolean {
  if (!/^urn:/i.test(key) || resolveExtension(cat, key) || key.toLowerCase() === cat.core.id.toLowerCase())
    return false;
  const lower = key.toLowerCase();
  if ([cat.core, ...cat.extensions].some((s) => lower.startsWith(`${s.id.toLowerCase()}:`))) return false;
  if (isPlainObject(value)) {
    for (const name of Object.keys(value)) sink({ schema: key, name });
  } else {
    const cut = key.lastIndexOf(':');
    sink({ schema: key.slice(0, cut), name: key.slice(cut + 1).replace(/[[.].*$/s, '') });
  }
  return true;
}

/**
 * A registered extension's object from a POST or PUT body (already normalized and type-checked):
 * the registered spelling of every name; attributes the schema does not define are reported and
 * dropped, as the body's unknown attributes are.
 */
export function keepExtension(value: unknown, ext: SchemaAttrs, sink: UnregisteredSink): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const def = ext.attributes.get(key.toLowerCase());
    if (!def) {
      sink({ schema: ext.id, name: key });
      continue;
    }
    if (v !== undefined && v !== null) out[def.name] = canonicalValue(v, def);
  }
  return out;
}

/** A checked value with the registered spelling of its sub-attributes' names (unknown ones dropped). */
function canonicalValue(value: unknown, def: AttrDef): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalValue(v, def));
  if (def.type !== 'complex' || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const sub = def.sub?.get(key.toLowerCase());
    if (sub && v !== undefined && v !== null) out[sub.name] = v;
  }
  return out;
}

/** Splits a user document into the registered extensions' objects and the rest (what scimmy patches). */
export function splitRegistered(
  doc: Record<string, unknown>,
  cat: ResourceCatalogue,
): { core: Record<string, unknown>; registered: Record<string, Record<string, unknown>> } {
  const core: Record<string, unknown> = {};
  const registered: Record<string, Record<string, unknown>> = {};
  for (const [key, value] of Object.entries(doc)) {
    const ext = /^urn:/i.test(key) ? registeredExtension(cat, key) : undefined;
    if (ext && isPlainObject(value)) registered[ext.id] = value;
    else if (!ext) core[key] = value;
  }
  if (Array.isArray(core.schemas)) {
    core.schemas = core.schemas.filter((s) => typeof s !== 'string' || !registeredExtension(cat, s));
  }
  return { core, registered };
}

/**
 * One PATCH step on a registered extension (RFC 7644 §3.5.2), on `store` (URN → the extension's
 * object), after the value was normalized and checked (user-patch.ts). `value` undefined: a removal.
 * add on a multi-valued attribute appends the values not there yet (§3.5.2.1); replace on a
 * single-valued complex attribute sets the sub-attributes given and keeps the others (§3.5.2.3).
 */
export function applyRegisteredOperation(
  store: Record<string, Record<string, unknown>>,
  path: PatchPath,
  op: 'add' | 'remove' | 'replace',
  value: unknown,
): void {
  const urn = path.schema!;
  const obj: Record<string, unknown> = { ...(store[urn] ?? {}) };
  if (path.wholeExtension) {
    if (op === 'remove' || value === undefined) {
      delete store[urn];
      return;
    }
    if (!isPlainObject(value)) throw badRequest(`"${urn}" must be an object of the extension's attributes`);
    for (const [key, v] of Object.entries(value)) {
      const def = path.attr.sub!.get(key.toLowerCase())!;
      if (v === undefined || v === null) delete obj[def.name];
      else setAttribute(obj, def, canonicalValue(v, def), op);
    }
  } else {
    changeAttribute(obj, path, op, value);
  }
  for (const [key, v] of Object.entries(obj)) {
    if (v === undefined || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && !Object.keys(v).length))
      delete obj[key];
  }
  if (Object.keys(obj).length) store[urn] = obj;
  else delete store[urn];
}

function setAttribute(obj: Record<string, unknown>, def: AttrDef, value: unknown, op: 'add' | 'remove' | 'replace') {
  if (def.multiValued) {
    const values = Array.isArray(value) ? value : [value];
    if (op === 'add') {
      const current = Array.isArray(obj[def.name]) ? (obj[def.name] as unknown[]) : [];
      const seen = new Set(current.map(canonicalJson));
      const fresh = values.filter((v) => {
        const c = canonicalJson(v);
        if (seen.has(c)) return false;
        seen.add(c);
        return true;
      });
      obj[def.name] = [...current, ...fresh];
    } else obj[def.name] = values;
    return;
  }
  if (def.type === 'complex' && isPlainObject(value) && isPlainObject(obj[def.name]))
    obj[def.name] = { ...(obj[def.name] as object), ...value };
  else obj[def.name] = value;
}

function changeAttribute(
  obj: Record<string, unknown>,
  path: PatchPath,
  op: 'add' | 'remove' | 'replace',
  value: unknown,
): void {
  const { attr, sub, filter } = path;
  const remove = op === 'remove' || value === undefined;
  if (filter) {
    const list = Array.isArray(obj[attr.name]) ? (obj[attr.name] as Record<string, unknown>[]) : [];
    const S = scimmy();
    const matched = new Set(
      list.length
        ? withScimmy(() => new S.Types.Filter(formatFilter(filter)).match(list) as Record<string, unknown>[], {
            path: path.text,
          })
        : [],
    );
    if (remove) {
      obj[attr.name] = sub
        ? list.map((e) => (matched.has(e) ? withoutKey(e, sub.name) : e))
        : list.filter((e) => !matched.has(e));
      return;
    }
    if (!matched.size) {
      const element = elementFromEqFilter(filter);
      if (!element) throw badRequest(`Nothing matches the path "${path.text}" (RFC 7644 §3.5.2)`, 'noTarget');
      const fresh = sub ? { ...element, [sub.name]: value } : { ...element, ...(value as object) };
      obj[attr.name] = [...list, canonicalValue(fresh, attr)];
      return;
    }
    obj[attr.name] = list.map((e) => {
      if (!matched.has(e)) return e;
      if (sub) return { ...e, [sub.name]: value };
      const element = Array.isArray(value) ? value[0] : value;
      return op === 'replace' && !isPlainObject(element)
        ? element
        : { ...e, ...(canonicalValue(element, attr) as object) };
    });
    return;
  }
  if (sub) {
    // A single-valued complex attribute's part (multi-valued ones need a filter: user-patch.ts refuses).
    const current = isPlainObject(obj[attr.name]) ? (obj[attr.name] as Record<string, unknown>) : {};
    obj[attr.name] = remove ? withoutKey(current, sub.name) : { ...current, [sub.name]: value };
    return;
  }
  if (remove) {
    if (op === 'remove' && value !== undefined && attr.multiValued) {
      // Entra's dialect: remove these values ({"value": …} objects, or plain values of a simple attribute).
      const gone = (Array.isArray(value) ? value : [value]).map((v) => canonicalValue(v, attr));
      const list = Array.isArray(obj[attr.name]) ? (obj[attr.name] as unknown[]) : [];
      obj[attr.name] = list.filter((e) => !gone.some((g) => matchesAll(e, g)));
      return;
    }
    delete obj[attr.name];
    return;
  }
  setAttribute(obj, attr, canonicalValue(value, attr), op);
}

function matchesAll(element: unknown, given: unknown): boolean {
  if (!isPlainObject(given) || !isPlainObject(element)) return canonicalJson(element) === canonicalJson(given);
  return Object.entries(given).every(([k, v]) => canonicalJson(element[k]) === canonicalJson(v));
}

function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _gone, ...rest } = obj;
  return rest;
}

/** JSON with object keys sorted: two values are identical when this is equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Checks a registered extension's object in a body (non-strict, as bodies are). */
export function checkRegistered(value: unknown, ext: SchemaAttrs): void {
  checkExtension(value, ext.attributes, ext.id, { strict: false });
}
