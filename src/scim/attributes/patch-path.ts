import { badRequest } from '../../http/http-error.js';
import type { FilterNode } from '../../schema/filter-ast.js';
import { formatFilter, mapPaths } from '../../schema/filter-format.js';
import { parseFilter } from '../../schema/filter-parser.js';
import type { AttrDef, ResourceCatalogue } from '../../schema/catalogue.js';
import { longestPrefix, resolveExtension } from '../../schema/catalogue.js';

/**
 * A PATCH path (RFC 7644 §3.5.2): `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each
 * optionally behind a schema URN. Parsed with canonical attribute names.
 */
export interface PatchPath {
  /** The schema URN when the path names an extension attribute, else undefined (core). */
  schema?: string;
  attr: AttrDef;
  filter?: FilterNode;
  sub?: AttrDef;
  /** The path written back canonically, as scimmy expects it. */
  text: string;
  /** The extension as a whole (`urn:…:enterprise:2.0:User`). */
  wholeExtension?: boolean;
}

const PATH = /^(?<attr>[A-Za-z$][\w$-]*)(?:\[(?<filter>.*)\])?(?:\.(?<sub>[A-Za-z$][\w$-]*))?$/s;

export function parsePatchPath(cat: ResourceCatalogue, raw: string): PatchPath | undefined {
  let schema: string | undefined;
  let defs = cat.core.attributes;
  let rest = raw.trim();
  if (/^urn:/i.test(rest)) {
    const whole = resolveExtension(cat, rest);
    if (whole)
      return {
        schema: whole.id,
        attr: {
          name: whole.id,
          type: 'complex',
          multiValued: false,
          caseExact: false,
          returned: 'default',
          mutability: 'readWrite',
          sub: whole.attributes,
        },
        text: whole.id,
        wholeExtension: true,
      };
    const lower = rest.toLowerCase();
    const ext = longestPrefix(cat.extensions, lower);
    const core = lower.startsWith(`${cat.core.id.toLowerCase()}:`) ? cat.core : undefined;
    const match = ext ?? core;
    if (!match) return undefined;
    schema = ext ? ext.id : undefined;
    defs = match.attributes;
    rest = rest.slice(match.id.length + 1);
  }
  const m = PATH.exec(rest);
  if (!m?.groups) return undefined;
  const attr = defs.get(m.groups.attr!.toLowerCase());
  if (!attr) return undefined;
  let filter: FilterNode | undefined;
  if (m.groups.filter !== undefined) {
    if (!attr.multiValued || !attr.sub) return undefined;
    const subs = attr.sub;
    filter = coerceBooleans(
      mapPaths(parseFilterAsPath(m.groups.filter, raw), (p) => {
        const def = subs.get(p.toLowerCase());
        if (!def) throw badRequest(`"${p}" is not a sub-attribute of ${attr.name} in path "${raw}"`, 'invalidPath');
        return def.name;
      }),
      subs,
    );
  }
  let sub: AttrDef | undefined;
  if (m.groups.sub !== undefined) {
    sub = attr.sub?.get(m.groups.sub.toLowerCase());
    if (!sub) return undefined;
  }
  const text = `${schema ? `${schema}:` : ''}${attr.name}${filter ? `[${formatFilter(filter)}]` : ''}${sub ? `.${sub.name}` : ''}`;
  return { ...(schema ? { schema } : {}), attr, ...(filter ? { filter } : {}), ...(sub ? { sub } : {}), text };
}

/** `roles[primary eq "True"]`: Entra writes booleans as strings; compare them as booleans. */
function coerceBooleans(node: FilterNode, subs: ReadonlyMap<string, AttrDef>): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: coerceBooleans(node.left, subs), right: coerceBooleans(node.right, subs) };
    case 'not':
      return { ...node, expr: coerceBooleans(node.expr, subs) };
    case 'compare': {
      const def = subs.get(node.path.toLowerCase());
      if (def?.type === 'boolean' && typeof node.value === 'string' && /^(true|false)$/i.test(node.value)) {
        return { ...node, value: node.value.toLowerCase() === 'true' };
      }
      return node;
    }
    default:
      return node;
  }
}

function parseFilterAsPath(text: string, raw: string): FilterNode {
  let filter: FilterNode;
  try {
    filter = parseFilter(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw badRequest(`Invalid value filter in path "${raw}": ${detail}`, 'invalidPath');
  }
  if (hasValuePath(filter))
    throw badRequest(
      `Invalid value filter in path "${raw}": value filters do not nest (RFC 7644 §3.5.2)`,
      'invalidPath',
    );
  return filter;
}

function hasValuePath(node: FilterNode): boolean {
  if (node.kind === 'valuePath') return true;
  if (node.kind === 'and' || node.kind === 'or') return hasValuePath(node.left) || hasValuePath(node.right);
  return node.kind === 'not' && hasValuePath(node.expr);
}

/** The definition a value at this path must match: the sub-attribute, else the attribute. */
export function targetDef(path: PatchPath): AttrDef {
  return path.sub ?? path.attr;
}

/**
 * For `attr[sub eq "v"].x`: the element to create when nothing matches (Entra sends
 * `emails[type eq "work"].value` to set a work e-mail a user does not have yet).
 */
export function elementFromEqFilter(filter: FilterNode | undefined): Record<string, unknown> | undefined {
  if (!filter) return undefined;
  const out: Record<string, unknown> = {};
  const collect = (n: FilterNode): boolean => {
    if (n.kind === 'compare' && n.op === 'eq' && n.value !== null) {
      out[n.path] = n.value;
      return true;
    }
    return n.kind === 'and' && collect(n.left) && collect(n.right);
  };
  return collect(filter) ? out : undefined;
}
