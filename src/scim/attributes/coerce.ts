import { HttpError, badRequest, type ScimType } from '../../http/http-error.js';
import type { AttrDef, ResourceCatalogue } from '../../schema/catalogue.js';
import { resolveExtension } from '../../schema/catalogue.js';
import { checkValueCount } from './limits.js';
import { scimmy } from '../../schema/scimmy.js';

/** Runs scimmy and turns its exceptions (SCIMError, and TypeError for wrong values) into 400s. */
export function withScimmy<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    const S = scimmy();
    if (error instanceof S.Types.Error) {
      const e = error as unknown as { status: number; scimType?: string; message: string };
      return rethrow(
        new HttpError(e.status >= 400 && e.status < 500 ? e.status : 400, e.scimType ?? 'invalidValue', e.message, {
          scimType: (e.scimType as ScimType) ?? 'invalidValue',
        }),
      );
    }
    if (error instanceof TypeError || error instanceof SyntaxError)
      return rethrow(badRequest(error.message, 'invalidValue'));
    throw error;
  }
}

function rethrow(error: HttpError): never {
  throw error;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What Entra ID and other clients send that scimmy would refuse, made RFC-shaped first (DESIGN §6):
 * booleans as the strings "True"/"False", a complex attribute given as a plain id string
 * (`manager: "id"` → `{value: "id"}`), and null or "" meaning "no value" (RFC 7644 §3.5.1).
 */
export function normalizeInbound(doc: Record<string, unknown>, cat: ResourceCatalogue): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key.toLowerCase() === 'schemas') {
      out[key] = value;
      continue;
    }
    const extension = resolveExtension(cat, key);
    if (extension) {
      if (isPlainObject(value)) out[extension.id] = normalizeAttributes(value, extension.attributes);
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

function normalizeAttributes(
  obj: Record<string, unknown>,
  defs: ReadonlyMap<string, AttrDef>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const def = defs.get(key.toLowerCase());
    const normalized = def ? normalizeValue(value, def) : value;
    if (normalized !== undefined) out[key] = normalized;
  }
  return out;
}

/** Returns undefined when the value means "unassigned". */
export function normalizeValue(value: unknown, def: AttrDef): unknown {
  if (value === null || value === '') return undefined;
  if (def.multiValued) {
    if (!Array.isArray(value)) return value;
    checkValueCount(def.name, value);
    const items = value.map((v) => normalizeSingle(v, def)).filter((v) => v !== undefined);
    return items;
  }
  if (Array.isArray(value)) {
    // Microsoft's documented add-manager request sends the single-valued manager as a one-element array.
    if (def.type === 'complex' && value.length === 1) return normalizeSingle(value[0], def);
    throw badRequest(`"${def.name}" is single-valued: send one value, not a list of ${value.length}`, 'invalidValue');
  }
  return normalizeSingle(value, def);
}

function normalizeSingle(value: unknown, def: AttrDef): unknown {
  if (value === null || value === '') return undefined;
  if (def.type === 'boolean' && typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  if (def.type === 'complex') {
    if (typeof value === 'string' && def.sub?.has('value')) return { value };
    if (isPlainObject(value) && def.sub) return normalizeAttributes(value, def.sub);
  }
  return value;
}
