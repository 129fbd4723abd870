import { badRequest } from '../../http/http-error.js';
import { resolveExtension, resolvePath, type ResourceCatalogue } from '../../schema/catalogue.js';
import { isPlainObject } from './check-value.js';

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): which attributes a response holds.
 * `id` and `schemas` are always returned (RFC 7643 §3.1, §7 `returned: always`).
 */
export interface Projection {
  attributes?: AttrRef[];
  excluded?: AttrRef[];
}

/** A resolved reference: a top-level key of the document, and optionally one sub-key under it. */
export interface AttrRef {
  key: string;
  sub?: string;
}

const ALWAYS = new Set(['id', 'schemas']);

/**
 * Parses a comma list such as `userName,name.givenName,urn:…:enterprise:2.0:User:department`.
 * Unknown names are ignored (nothing to return for them); a `[filter]` suffix, which Microsoft's
 * test collection sends, is read as the attribute itself.
 */
export function parseAttributeList(cat: ResourceCatalogue, raw: unknown, param: string): AttrRef[] | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string')
    throw badRequest(`${param} must be given once, as a comma-separated list`, 'invalidValue');
  const refs: AttrRef[] = [];
  for (const item of raw.split(',')) {
    const name = item.replace(/\[.*\]/, '').trim();
    if (!name) continue;
    const extension = resolveExtension(cat, name);
    if (extension) {
      refs.push({ key: extension.id });
      continue;
    }
    const resolved = resolvePath(cat, name);
    if (!resolved) continue;
    const key = resolved.extension ? resolved.schema : resolved.attr.name;
    if (resolved.extension)
      refs.push({ key, sub: resolved.sub ? `${resolved.attr.name}.${resolved.sub.name}` : resolved.attr.name });
    else refs.push({ key, ...(resolved.sub ? { sub: resolved.sub.name } : {}) });
  }
  return refs;
}

export function parseProjection(cat: ResourceCatalogue, query: Record<string, unknown>): Projection {
  const attributes = parseAttributeList(cat, query.attributes, 'attributes');
  const excluded = parseAttributeList(cat, query.excludedAttributes, 'excludedAttributes');
  // RFC 7644 §3.9: attributes wins when both are given.
  return attributes !== undefined ? { attributes } : excluded !== undefined ? { excluded } : {};
}

/** Whether the response needs a (possibly expensive) attribute, e.g. `members`, so the query can skip it. */
export function includes(projection: Projection, key: string): boolean {
  if (projection.attributes) return projection.attributes.some((r) => r.key === key);
  if (projection.excluded) return !projection.excluded.some((r) => r.key === key && r.sub === undefined);
  return true;
}

export function project(doc: Record<string, unknown>, projection: Projection): Record<string, unknown> {
  if (projection.attributes) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc)) {
      if (ALWAYS.has(key)) {
        out[key] = value;
        continue;
      }
      const refs = projection.attributes.filter((r) => r.key === key);
      if (!refs.length) continue;
      out[key] = refs.some((r) => r.sub === undefined)
        ? value
        : pick(
            value,
            refs.map((r) => r.sub!),
          );
    }
    return out;
  }
  if (projection.excluded) {
    const out: Record<string, unknown> = { ...doc };
    for (const ref of projection.excluded) {
      if (ALWAYS.has(ref.key) || !(ref.key in out)) continue;
      if (ref.sub === undefined) delete out[ref.key];
      else out[ref.key] = omit(out[ref.key], ref.sub);
    }
    return out;
  }
  return doc;
}

/** Keeps the given sub-paths (`givenName`, or `manager.value` inside an extension) of a value or of each element. */
function pick(value: unknown, subs: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, subs));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  const src = value as Record<string, unknown>;
  for (const sub of subs) {
    const [first, second] = sub.split('.') as [string, string | undefined];
    if (!(first in src)) continue;
    out[first] =
      second === undefined
        ? src[first]
        : { ...((out[first] as object) ?? {}), ...(pick(src[first], [second]) as object) };
  }
  return out;
}

function omit(value: unknown, sub: string): unknown {
  if (Array.isArray(value)) return value.map((v) => omit(v, sub));
  if (typeof value !== 'object' || value === null) return value;
  const [first, second] = sub.split('.') as [string, string | undefined];
  const out = { ...(value as Record<string, unknown>) };
  if (second === undefined) delete out[first];
  else if (first in out) out[first] = omit(out[first], second);
  return out;
}

/**
 * A user's response: `project`, then the `returned` characteristic (RFC 7643 §2.2) of the
 * organization's registered extension attributes: `never` is not returned, `request` only when
 * `attributes` names it (or its extension), `always` even when excludedAttributes names it.
 */
export function projectUser(
  doc: Record<string, unknown>,
  cat: ResourceCatalogue,
  projection: Projection,
): Record<string, unknown> {
  const out = project(doc, projection);
  for (const ext of cat.registered ?? []) {
    const full = doc[ext.id];
    if (!isPlainObject(full)) continue;
    const shown = out[ext.id];
    const value: Record<string, unknown> = isPlainObject(shown) ? { ...shown } : {};
    for (const def of ext.attributes.values()) {
      if (def.returned === 'never') delete value[def.name];
      else if (def.returned === 'request' && !named(projection, ext.id, def.name)) delete value[def.name];
      else if (def.returned === 'always' && full[def.name] !== undefined) value[def.name] = full[def.name];
    }
    if (Object.keys(value).length) out[ext.id] = value;
    else delete out[ext.id];
  }
  return out;
}

function named(projection: Projection, urn: string, attribute: string): boolean {
  return (projection.attributes ?? []).some(
    (r) => r.key === urn && (r.sub === undefined || r.sub.split('.')[0] === attribute),
  );
}
