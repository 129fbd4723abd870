import type SCIMMY from 'scimmy';
import { ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, scimmy } from './scimmy.js';

export type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

export interface AttrDef {
  /** Canonical spelling, e.g. `givenName`. */
  name: string;
  type: AttrType;
  multiValued: boolean;
  caseExact: boolean;
  returned: Returned;
  mutability: Mutability;
  /** Sub-attributes by lower-case name. */
  sub?: ReadonlyMap<string, AttrDef>;
}

export interface SchemaAttrs {
  id: string;
  attributes: ReadonlyMap<string, AttrDef>;
}

/** What a resource type's documents may hold: its core schema and its extensions. */
export interface ResourceCatalogue {
  resourceType: 'User' | 'Group';
  core: SchemaAttrs;
  extensions: readonly SchemaAttrs[];
  /**
   * The extensions the organization registered (also in `extensions`): keyscope stores, checks and
   * patches their values itself, as scimmy knows only the built-in schemas.
   */
  registered?: readonly SchemaAttrs[];
}

/** A resolved attribute reference such as `name.givenName` or `urn:…:enterprise:2.0:User:manager.value`. */
export interface ResolvedPath {
  /** The schema that defines the attribute (core or an extension URN). */
  schema: string;
  extension: boolean;
  attr: AttrDef;
  sub?: AttrDef;
}

type ScimmyAttribute = SCIMMY.Types.Attribute;

function returnedOf(value: unknown): Returned {
  if (value === 'always' || value === 'request') return value;
  return value === false || value === 'never' ? 'never' : 'default';
}

function mutabilityOf(value: unknown): Mutability {
  if (value === 'immutable' || value === 'writeOnly') return value;
  return value === false || value === 'readOnly' ? 'readOnly' : 'readWrite';
}

function toDef(a: ScimmyAttribute): AttrDef {
  const config = a.config as { multiValued?: boolean; caseExact?: boolean; returned?: unknown; mutable?: unknown };
  const sub = a.subAttributes?.length
    ? new Map(a.subAttributes.map((s) => [s.name.toLowerCase(), toDef(s)]))
    : undefined;
  return {
    name: a.name,
    type: String(a.type) as AttrType,
    multiValued: config.multiValued ?? false,
    caseExact: config.caseExact ?? false,
    returned: returnedOf(config.returned),
    mutability: mutabilityOf(config.mutable),
    ...(sub ? { sub } : {}),
  };
}

function schemaAttrs(definition: SCIMMY.Types.SchemaDefinition, skipCommon: boolean): SchemaAttrs {
  const S = scimmy();
  const attributes = new Map<string, AttrDef>();
  for (const a of definition.attributes) {
    if (a instanceof S.Types.SchemaDefinition) continue;
    if (skipCommon && ['schemas', 'id', 'externalid', 'meta'].includes(a.name.toLowerCase())) continue;
    attributes.set(a.name.toLowerCase(), toDef(a as ScimmyAttribute));
  }
  return { id: definition.id, attributes };
}

let catalogues: { User: ResourceCatalogue; Group: ResourceCatalogue } | undefined;

export function catalogue(resourceType: 'User' | 'Group'): ResourceCatalogue {
  if (!catalogues) {
    const S = scimmy();
    catalogues = {
      User: {
        resourceType: 'User',
        core: schemaAttrs(S.Schemas.User.definition, false),
        extensions: [schemaAttrs(S.Schemas.EnterpriseUser.definition, true)],
      },
      Group: { resourceType: 'Group', core: schemaAttrs(S.Schemas.Group.definition, false), extensions: [] },
    };
  }
  return catalogues[resourceType];
}

/**
 * The User catalogue of an organization: the built-in schemas and the extensions it registered
 * (users/ keeps the registry). Without registered extensions it is the built-in catalogue itself.
 */
export function userCatalogueWith(registered: readonly SchemaAttrs[]): ResourceCatalogue {
  const base = catalogue('User');
  if (!registered.length) return base;
  return { ...base, extensions: [...base.extensions, ...registered], registered };
}

/** The registered extension with this URN, if `cat` has one. */
export function registeredExtension(cat: ResourceCatalogue, urn: string): SchemaAttrs | undefined {
  const lower = urn.toLowerCase();
  return cat.registered?.find((e) => e.id.toLowerCase() === lower);
}

export function schemaIdsOf(resourceType: 'User' | 'Group'): string[] {
  return resourceType === 'User' ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [GROUP_SCHEMA];
}

/**
 * Resolves an attribute path, case-insensitively (RFC 7644 §3.4.2.2; RFC 7643 §2.1):
 * `userName`, `name.givenName`, `urn:…:core:2.0:User:userName`, `urn:…:enterprise:2.0:User:manager.value`.
 * Returns undefined for unknown attributes.
 */
export function resolvePath(cat: ResourceCatalogue, path: string): ResolvedPath | undefined {
  let schema = cat.core;
  let extension = false;
  let rest = path;
  if (/^urn:/i.test(path)) {
    const lower = path.toLowerCase();
    const match = longestPrefix([cat.core, ...cat.extensions], lower);
    if (!match) return undefined;
    schema = match;
    extension = match !== cat.core;
    rest = path.slice(match.id.length + 1);
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts[0]) return undefined;
  const attr = schema.attributes.get(parts[0].toLowerCase());
  if (!attr) return undefined;
  if (parts.length === 1) return { schema: schema.id, extension, attr };
  const sub = attr.sub?.get(parts[1]!.toLowerCase());
  return sub ? { schema: schema.id, extension, attr, sub } : undefined;
}

/**
 * The schema whose URN prefixes `lowerPath` (followed by ':'), the longest when several do: an
 * organization may register `urn:acme:hr` and `urn:acme:hr:v2`, and `urn:acme:hr:v2:grade` is the latter's.
 */
export function longestPrefix(schemas: readonly SchemaAttrs[], lowerPath: string): SchemaAttrs | undefined {
  let best: SchemaAttrs | undefined;
  for (const s of schemas) {
    if (lowerPath.startsWith(`${s.id.toLowerCase()}:`) && (!best || s.id.length > best.id.length)) best = s;
  }
  return best;
}

/** An extension URN by itself (e.g. in `attributes=` or as a PATCH path), resolved case-insensitively. */
export function resolveExtension(cat: ResourceCatalogue, urn: string): SchemaAttrs | undefined {
  return cat.extensions.find((e) => e.id.toLowerCase() === urn.toLowerCase());
}
