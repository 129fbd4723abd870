import { HttpError, badRequest } from '../../http/http-error.js';
import { formatFilter } from '../../schema/filter-format.js';
import { readPatchRequest, type RawOperation } from '../patch-request.js';
import { catalogue, registeredExtension, type AttrDef, type ResourceCatalogue } from '../../schema/catalogue.js';
import {
  applyRegisteredOperation,
  canonicalJson,
  reportIfUnregistered,
  splitRegistered,
  type UnregisteredSink,
} from '../attributes/registered-extensions.js';
import { checkElement, checkExtension, checkValue } from '../attributes/check-value.js';
import { isPlainObject, normalizeValue, scimmyErrorAsHttp, withScimmy } from '../attributes/coerce.js';
import { elementFromEqFilter, parsePatchPath, targetDef, type PatchPath } from '../attributes/patch-path.js';
import { PATCH_OP_SCHEMA, scimmy } from '../../schema/scimmy.js';

interface ScimmyOperation {
  op: 'add' | 'remove' | 'replace';
  path?: string;
  value?: unknown;
}

/** The client's operation a step comes from, so an error names it as the client numbered it. */
interface Origin {
  index: number;
  path: string;
}

// scimmy re-reads the whole user for each batch; more batches than this in one request are refused.
const MAX_APPLIES = 10;

// Read-only attributes a client may echo back in a pathless value (Okta sends `id` on rename): ignored there.
const ECHOED_READ_ONLY = new Set(['id', 'meta', 'schemas', 'groups']);

/**
 * Applies a PatchOp to a user document with scimmy's PatchOp semantics, after making what real
 * clients send RFC-shaped (DESIGN §6): canonical attribute names in paths, "True"/"False" strings as
 * booleans, a manager given as a plain id, null or "" as removal, dotted and URN-qualified keys in
 * pathless values, replace on a complex attribute keeping the sub-attributes it does not name
 * (RFC 7644 §3.5.2.3), and `emails[type eq "work"].value` creating the work e-mail when there is none.
 * Operations (and the keys of a pathless value) apply one after another (RFC 7644 §3.5.2), each
 * seeing what the previous ones did: setting two parts of a new work address creates one address.
 * Returns the new document, or undefined when nothing changed.
 *
 * scimmy re-reads the whole user on every apply (~40 µs per multi-valued element), so operations go
 * to it in batches: a batch ends only when an `attr[filter].sub` step must know whether an element
 * matches after earlier steps changed that attribute differently. A request needing more than
 * MAX_APPLIES batches is refused rather than allowed to hold the event loop.
 */
export async function patchUserDocument(
  currentDoc: Record<string, unknown>,
  body: unknown,
  cat: ResourceCatalogue = catalogue('User'),
  unregistered: UnregisteredSink = () => undefined,
): Promise<Record<string, unknown> | undefined> {
  // The organization's registered extensions are patched here, step by step; the rest by scimmy.
  const { core: current, registered } = splitRegistered(currentDoc, cat);
  const registeredBefore = canonicalJson(registered);
  let doc = current;
  let changed = false;
  let applies = 0;
  let batch: (ScimmyOperation & { origin: Origin })[] = [];
  // Attributes the batch changes → the one value filter every change went through, or null.
  let touched = new Map<string, string | null>();
  // Multi-valued attributes the batch has only added to → the elements it added.
  let appended = new Map<string, unknown[]>();

  const flush = async () => {
    if (!batch.length) return;
    if (++applies > MAX_APPLIES) {
      throw badRequest(
        `This PATCH changes the same multi-valued attribute through different value filters, or adds to it after changing it, too many times; send it as several requests`,
        'invalidValue',
      );
    }
    const result = await applyWithScimmy(doc, batch);
    if (result !== undefined) {
      doc = result;
      changed = true;
    }
    batch = [];
    touched = new Map();
    appended = new Map();
  };

  for (const unit of readPatchRequest(body).flatMap((raw) => units(raw, cat, unregistered))) {
    if (unit.path.schema && registeredExtension(cat, unit.path.schema)) {
      inOperation(unit.raw.index, () => {
        const value = registeredValue(unit);
        applyRegisteredOperation(registered, unit.path, unit.raw.op, value);
      });
      continue;
    }
    const key = attributeKey(unit.path);
    const filter = unit.path.filter && unit.path.sub ? formatFilter(unit.path.filter) : null;
    const appending = isAppend(unit);
    if (filter !== null && touched.has(key) && touched.get(key) !== filter) await flush();
    // An add compares its values with what the attribute holds, so it sees earlier changes applied.
    else if (appending && touched.has(key) && !appended.has(key)) await flush();
    // Within a batch, an element this filter created or found earlier is there still.
    const matches = () => touched.get(key) === filter || anyElementMatches(doc, unit.path);
    let operations = expand(unit, matches);
    const adds = appending && operations.every((o) => o.op === 'add');
    if (adds) operations = withoutPresent(operations, [...elementsAt(doc, unit.path), ...(appended.get(key) ?? [])]);
    if (!operations.length) continue;
    batch.push(...operations.map((o) => ({ ...o, origin: { index: unit.raw.index, path: unit.path.text } })));
    if (adds) appended.set(key, [...(appended.get(key) ?? []), ...operations.flatMap((o) => asList(o.value))]);
    else appended.delete(key);
    const kept = operations.every((o) => o.op !== 'remove') && (!touched.has(key) || touched.get(key) === filter);
    touched.set(key, kept ? filter : null);
  }
  await flush();
  const registeredChanged = canonicalJson(registered) !== registeredBefore;
  if (!changed && !registeredChanged) return undefined;
  const { core } = splitRegistered(changed ? withOnePrimary(current, doc) : current, cat);
  return { ...core, ...registered };
}

/** The normalized, checked value of a step on a registered extension; undefined for a removal. */
function registeredValue({ raw, path, value }: Unit): unknown {
  if (raw.op === 'remove') {
    if (raw.value === undefined || raw.value === null || !path.attr.multiValued || path.filter || path.sub)
      return undefined;
    const normalized = normalizeElements(raw.value, path.attr, path.text);
    for (const v of Array.isArray(normalized) ? normalized : [normalized])
      checkElement(v, path.attr, path.text, { strict: true });
    return normalized;
  }
  const normalized =
    path.filter && !path.sub
      ? normalizeElements(value, path.attr, path.text)
      : normalizeValue(value, targetDef(path), path.text);
  if (normalized === undefined) return undefined;
  if (path.sub && path.attr.multiValued && !path.filter) {
    throw badRequest(
      `"${path.text}" names a sub-attribute of every value of ${path.attr.name}; name the values with a filter`,
      'invalidPath',
    );
  }
  checkPatchValue(path, normalized);
  return normalized;
}

/** `add` on a multi-valued attribute as a whole (`emails`, or `emails` as a key of a pathless value). */
function isAppend(unit: Unit): boolean {
  return unit.raw.op === 'add' && unit.path.attr.multiValued && !unit.path.filter && !unit.path.sub;
}

/**
 * RFC 7644 §3.5.2.1: adding a value the attribute already holds changes nothing (and an add whose
 * values are all there is no change at all, so the resource's version and lastModified stay).
 */
function withoutPresent(operations: ScimmyOperation[], present: unknown[]): ScimmyOperation[] {
  const seen = new Set(present.map(canonical));
  return operations.flatMap((o) => {
    const fresh = asList(o.value).filter((v) => {
      const c = canonical(v);
      if (seen.has(c)) return false;
      seen.add(c);
      return true;
    });
    return fresh.length ? [{ ...o, value: fresh }] : [];
  });
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** The elements a multi-valued attribute holds in this document. */
function elementsAt(doc: Record<string, unknown>, path: PatchPath): unknown[] {
  const container = path.schema ? doc[path.schema] : doc;
  const list = isPlainObject(container) ? container[path.attr.name] : undefined;
  return Array.isArray(list) ? list : [];
}

/** JSON with object keys sorted: two elements are identical when this is equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * RFC 7644 §3.5.2: setting `primary` on a value makes the server set it to false on the others.
 * Values that were primary before the request lose it to the ones the request made primary.
 */
function withOnePrimary(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out = { ...after };
  for (const [key, list] of Object.entries(after)) {
    if (!Array.isArray(list) || list.filter(isPrimary).length < 2) continue;
    const previous = new Set(
      (Array.isArray(before[key]) ? (before[key] as unknown[]) : []).filter(isPrimary).map(identity),
    );
    const fresh = list.filter((e) => isPrimary(e) && !previous.has(identity(e)));
    if (fresh.length)
      out[key] = list.map((e) => (isPrimary(e) && !fresh.includes(e) ? { ...(e as object), primary: false } : e));
  }
  return out;
}

// A value is the same value when its `value` is, whatever else changed about it; an element without
// `value` (an address) when everything but `primary` is, in whatever order scimmy wrote its keys.
function identity(element: unknown): string {
  const value = (element as { value?: unknown }).value;
  if (value !== undefined) return JSON.stringify(value);
  const { primary: _primary, ...rest } = element as Record<string, unknown>;
  return canonical(rest);
}

function isPrimary(element: unknown): boolean {
  return isPlainObject(element) && element.primary === true;
}

async function applyWithScimmy(
  doc: Record<string, unknown>,
  operations: (ScimmyOperation & { origin: Origin })[],
): Promise<Record<string, unknown> | undefined> {
  const S = scimmy();
  try {
    const resource = new S.Schemas.User(doc, 'in');
    const message = new S.Messages.PatchOp({
      schemas: [PATCH_OP_SCHEMA],
      Operations: operations.map(({ origin: _origin, ...o }) => o),
    });
    const result = await message.apply(resource);
    return result === undefined ? undefined : (JSON.parse(JSON.stringify(result)) as Record<string, unknown>);
  } catch (error) {
    // scimmy numbers the operations of its batch; the client's numbering is the origin's.
    const step = /operation (\d+) in PatchOp/.exec(error instanceof Error ? error.message : '')?.[1];
    const origin = step ? operations[Number(step) - 1]?.origin : undefined;
    throw scimmyErrorAsHttp(error, origin ? { where: `Operation ${origin.index}: `, path: origin.path } : {});
  }
}

/** One step of a PatchOp: an operation with a path, or one key of a pathless operation's value. */
interface Unit {
  raw: RawOperation;
  path: PatchPath;
  value: unknown;
}

function units(raw: RawOperation, cat: ResourceCatalogue, unregistered: UnregisteredSink): Unit[] {
  if (raw.path === undefined) {
    if (!isPlainObject(raw.value))
      throw badRequest(`Operation ${raw.index}: without a path, value must be an object of attributes`, 'invalidValue');
    return Object.entries(raw.value).flatMap(([key, value]) => {
      if (ECHOED_READ_ONLY.has(key.toLowerCase())) return [];
      const path = parsePatchPath(cat, key);
      if (!path) reportIfUnregistered(cat, key, value, unregistered);
      return path ? [{ raw, path, value }] : []; // unknown attributes are ignored, as in POST and PUT bodies
    });
  }
  const path = parsePatchPath(cat, raw.path);
  if (!path) {
    // RFC 7644 §3.3: an extension the organization did not register is accepted, reported, not stored.
    if (reportIfUnregistered(cat, raw.path, raw.op === 'remove' ? undefined : raw.value, unregistered)) return [];
    throw badRequest(`Operation ${raw.index}: "${raw.path}" is not an attribute path of a User`, 'invalidPath');
  }
  return [{ raw, path, value: raw.value }];
}

/** What `work` refuses, prefixed with the client's operation number. */
function inOperation<T>(index: number, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof HttpError && !error.message.startsWith('Operation '))
      throw new HttpError(error.status, error.code, `Operation ${index}: ${error.message}`, error.options);
    throw error;
  }
}

function expand(unit: Unit, elementMatches: () => boolean): ScimmyOperation[] {
  return inOperation(unit.raw.index, () => expandUnit(unit, elementMatches));
}

function expandUnit({ raw, path, value }: Unit, elementMatches: () => boolean): ScimmyOperation[] {
  if (path.attr.mutability === 'readOnly' || ECHOED_READ_ONLY.has(path.attr.name.toLowerCase())) {
    throw badRequest(`"${path.text}" is read-only`, 'mutability');
  }
  // `emails.value` would name a sub-attribute of every e-mail at once, which scimmy cannot apply.
  if (path.sub && path.attr.multiValued && !path.filter) {
    throw badRequest(
      `"${path.text}" names a sub-attribute of every value of ${path.attr.name}; name the values with a filter, as in ${stripFilter(path)}[type eq "work"].${path.sub.name}`,
      'invalidPath',
    );
  }
  if (raw.op === 'remove') return removal(path, removedValues(path, raw.value));
  const normalized =
    path.filter && !path.sub
      ? normalizeElements(value, path.attr, path.text)
      : normalizeValue(value, targetDef(path), path.text);
  if (normalized === undefined) return removal(path, undefined);
  checkPatchValue(path, normalized);
  if (path.filter && path.sub) {
    if (!elementMatches()) {
      const element = elementFromEqFilter(path.filter);
      if (element)
        return [{ op: 'add', path: stripFilter(path), value: [{ ...element, [path.sub.name]: normalized }] }];
    } else if (raw.op === 'replace') {
      // RFC 7644 §3.5.2.3: set the sub-attribute on the elements the filter matches now. scimmy's
      // replace removes it first and then looks for them again, which finds none when the filter is
      // on that sub-attribute (`emails[value eq "old"].value`). A sub-attribute is simple, so add sets it.
      return [{ op: 'add', path: path.text, value: normalized }];
    }
  }
  // `manager.value`, `name.givenName`: setting part of a single-valued complex attribute the user
  // does not have yet creates it (RFC 7644 §3.5.2.1); scimmy would answer noTarget.
  if (path.sub && !path.filter && !path.attr.multiValued) {
    return [{ op: 'add', path: stripFilter(path), value: { [path.sub.name]: normalized } }];
  }
  // RFC 7644 §3.5.2.3: replacing a single-valued complex attribute (name, manager, an extension)
  // replaces the sub-attributes given and leaves the others, which is what scimmy's add does.
  if (
    raw.op === 'replace' &&
    !path.filter &&
    !path.sub &&
    isPlainObject(normalized) &&
    (path.attr.type === 'complex' || path.wholeExtension) &&
    !path.attr.multiValued
  ) {
    return [{ op: 'add', path: path.text, value: normalized }];
  }
  return [{ op: raw.op, path: path.text, value: normalized }];
}

/** The value of an add or replace has the shape of what its path names (check-value.ts). */
function checkPatchValue(path: PatchPath, value: unknown): void {
  const strict = { strict: true };
  if (path.wholeExtension) checkExtension(value, path.attr.sub!, path.text, strict);
  else if (path.filter && !path.sub) {
    for (const element of Array.isArray(value) ? value : [value]) checkElement(element, path.attr, path.text, strict);
  } else checkValue(value, targetDef(path), path.text, strict, true);
}

/**
 * `remove` with a value (Entra's old dialect for members) removes those values from a multi-valued
 * attribute: objects of its sub-attributes, each naming at least one. scimmy builds a filter from
 * them, so anything else is refused here. On any other path the value has no meaning and is ignored.
 */
function removedValues(path: PatchPath, value: unknown): unknown {
  if (value === undefined || value === null || !path.attr.multiValued || path.filter || path.sub) return value;
  const normalized = normalizeElements(value, path.attr, path.text);
  const values = Array.isArray(normalized) ? normalized : [normalized];
  const usage = `remove on "${path.text}" takes the values to remove, as objects of their sub-attributes such as {"value": "…"}`;
  for (const v of values) {
    if (!isPlainObject(v) || Object.keys(v).length === 0) throw badRequest(usage, 'invalidValue');
    checkElement(v, path.attr, path.text, { strict: true });
    if (Object.values(v).some((x) => x === null || typeof x === 'object')) throw badRequest(usage, 'invalidValue');
  }
  return normalized;
}

/** A remove; the extension as a whole is removed attribute by attribute (scimmy cannot remove it). */
function removal(path: PatchPath, value: unknown): ScimmyOperation[] {
  if (path.wholeExtension)
    return [...path.attr.sub!.values()].map((def) => ({ op: 'remove', path: `${path.schema}:${def.name}` }));
  return [{ op: 'remove', path: path.text, ...(value !== undefined ? { value } : {}) }];
}

function normalizeElements(value: unknown, def: AttrDef, name: string): unknown {
  const items = Array.isArray(value) ? value : [value];
  const out = items.flatMap((v) => normalizeValue([v], def, name)) as unknown[];
  return Array.isArray(value) ? out : out[0];
}

function anyElementMatches(current: Record<string, unknown>, path: PatchPath): boolean {
  const container = path.schema ? (current[path.schema] as Record<string, unknown> | undefined) : current;
  const list = container?.[path.attr.name];
  if (!Array.isArray(list) || !list.length) return false;
  const S = scimmy();
  return withScimmy(() => new S.Types.Filter(formatFilter(path.filter!)).match(list).length > 0, { path: path.text });
}

/** The attribute a step changes, whatever sub-attribute or element it names. */
function attributeKey(path: PatchPath): string {
  return `${path.schema ?? ''}:${path.attr.name}`;
}

function stripFilter(path: PatchPath): string {
  return `${path.schema ? `${path.schema}:` : ''}${path.attr.name}`;
}
