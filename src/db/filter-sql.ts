import { invalid as invalidInput } from '../errors/domain-error.js';
import type { CompareOp, FilterNode, FilterValue } from '../schema/filter-ast.js';
import type { AttrDef, AttrType } from '../schema/catalogue.js';
import { prefixPattern } from './like.js';
import { literal, type SqlParams } from './sql-params.js';
import { isStorableTimestamp } from './timestamp.js';

/**
 * Translates a SCIM filter tree into one SQL condition (RFC 7644 §3.4.2.2). Stores say where each
 * attribute lives through a StorageResolver; this module knows only how to compare.
 * Every comparison, `ne` included, is false for a resource that lacks the attribute ("the attribute
 * and operator values are not identical" needs an attribute); `not (x eq v)` asks for "missing or
 * different". In SQL a comparison with a missing value is NULL, which WHERE, AND, OR and EXISTS all
 * treat as false; only NOT would not, so `not (x)` is written `(x) IS NOT TRUE`, an exact complement.
 * Comparisons stay plain (`lower(user_name) = lower($2)`) so PostgreSQL can use the indexes.
 */

/** A single value: a column, or text extracted from a JSON document. */
export interface ScalarStorage {
  kind: 'scalar';
  /** SQL expression; text for string-like types, boolean/timestamptz for columns of those types. */
  expr: string;
  type: AttrType | 'uuid';
  caseExact: boolean;
  /** For JSON values: the expression yields text even for booleans and numbers. */
  json: boolean;
}

/** A multi-valued attribute: rows of an element set, each element a JSON object (or a subquery's row). */
export interface ElementsStorage {
  kind: 'elements';
  /** FROM-clause producing the elements, the alias given. */
  from(alias: string): string;
  /** The element's sub-attribute (or its `value` when sub is undefined) as a scalar. */
  element(alias: string, sub: AttrDef | undefined): ScalarStorage | undefined;
  def: AttrDef;
  /** Elements kept as JSON objects in array order, which may carry `primary` (the `el` column). */
  json?: boolean;
}

/** A single-valued complex attribute (e.g. `name`): only `pr` applies to it as a whole. */
export interface ComplexStorage {
  kind: 'complex';
  presentExpr: string;
}

export type Storage = ScalarStorage | ElementsStorage | ComplexStorage;

/** Resolves an attribute path as written in the filter (relative paths inside value filters). */
export type StorageResolver = (path: string) => Storage | undefined;

const invalid = (detail: string) => invalidInput(detail, 'invalidFilter');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

export function compileFilter(node: FilterNode, resolve: StorageResolver, params: SqlParams): string {
  switch (node.kind) {
    case 'and':
      return `(${compileFilter(node.left, resolve, params)} AND ${compileFilter(node.right, resolve, params)})`;
    case 'or':
      return `(${compileFilter(node.left, resolve, params)} OR ${compileFilter(node.right, resolve, params)})`;
    case 'not':
      return `((${compileFilter(node.expr, resolve, params)}) IS NOT TRUE)`;
    case 'present':
      return present(storageOf(node.path, resolve), node.path, params);
    case 'compare':
      return compare(storageOf(node.path, resolve), node.path, node.op, node.value, params);
    case 'valuePath': {
      const storage = storageOf(node.path, resolve);
      if (storage.kind !== 'elements')
        throw invalid(`"${node.path}" is not a multi-valued attribute, so it takes no [filter]`);
      const alias = params.alias();
      const inner: StorageResolver = (sub) => {
        const def = storage.def.sub?.get(sub.toLowerCase());
        return def ? storage.element(alias, def) : undefined;
      };
      return `EXISTS (SELECT 1 FROM ${storage.from(alias)} WHERE ${compileFilter(node.filter, inner, params)})`;
    }
  }
}

function storageOf(path: string, resolve: StorageResolver): Storage {
  const storage = resolve(path);
  if (!storage) throw invalid(`"${path}" is not an attribute that can be filtered on`);
  return storage;
}

function isText(s: ScalarStorage): boolean {
  return s.json || s.type === 'string' || s.type === 'reference' || s.type === 'binary';
}

function present(storage: Storage, path: string, params: SqlParams): string {
  if (storage.kind === 'complex') return storage.presentExpr;
  if (storage.kind === 'elements') {
    const alias = params.alias();
    const value = storage.element(alias, undefined);
    const cond = value ? present(value, path, params) : 'true';
    return `EXISTS (SELECT 1 FROM ${storage.from(alias)} WHERE ${cond})`;
  }
  return isText(storage) ? `(${storage.expr} <> '')` : `(${storage.expr} IS NOT NULL)`;
}

function compare(storage: Storage, path: string, op: CompareOp, value: FilterValue, params: SqlParams): string {
  if (storage.kind === 'complex')
    throw invalid(`"${path}" is complex; compare one of its sub-attributes, as in "${path}.<sub-attribute> eq …"`);
  if (storage.kind === 'elements') {
    // Without a sub-attribute a multi-valued attribute is compared through its `value` (RFC 7644 §3.4.2.2).
    const alias = params.alias();
    const element = storage.element(alias, undefined);
    if (!element) throw invalid(`"${path}" has no value to compare; filter on one of its sub-attributes`);
    return `EXISTS (SELECT 1 FROM ${storage.from(alias)} WHERE ${compareScalar(element, path, op, value, params)})`;
  }
  return compareScalar(storage, path, op, value, params);
}

function compareScalar(s: ScalarStorage, path: string, op: CompareOp, value: FilterValue, params: SqlParams): string {
  if (value === null) {
    if (op === 'eq') return `(${present(s, path, params)} IS NOT TRUE)`;
    if (op === 'ne') return present(s, path, params);
    throw invalid(`"${op}" cannot compare with null`);
  }
  switch (s.type) {
    case 'boolean':
      return compareBoolean(s, path, op, value, params);
    case 'dateTime':
      return compareDate(s, path, op, value, params);
    case 'integer':
    case 'decimal':
      return compareNumber(s, path, op, value, params);
    case 'uuid':
      return compareUuid(s, op, value, params);
    case 'complex':
      throw invalid(`"${path}" is complex; compare one of its sub-attributes`);
    default:
      return compareText(s, op, String(value), params);
  }
}

function compareText(s: ScalarStorage, op: CompareOp, value: string, params: SqlParams): string {
  const fold = (e: string) => (s.caseExact ? e : `lower(${e})`);
  const x = fold(s.expr);
  // LIKE 'prefix%' rather than starts_with: PostgreSQL turns it into a range over an index built
  // with text_pattern_ops (userName has one), where starts_with reads every row.
  if (op === 'sw') return `(${x} LIKE ${fold(`${params.add(prefixPattern(value))}::text`)} ESCAPE '\\')`;
  const v = fold(`${params.add(value)}::text`);
  switch (op) {
    case 'eq':
      return `(${x} = ${v})`;
    case 'ne':
      return `(${x} <> ${v})`;
    case 'co':
      return `(strpos(${x}, ${v}) > 0)`;
    case 'ew':
      return `(right(${x}, length(${v})) = ${v})`;
    default:
      return `(${x} ${SQL_ORDER[op]} ${v})`;
  }
}

const SQL_ORDER: Record<'gt' | 'ge' | 'lt' | 'le', string> = { gt: '>', ge: '>=', lt: '<', le: '<=' };

function compareBoolean(s: ScalarStorage, path: string, op: CompareOp, value: FilterValue, params: SqlParams): string {
  const b =
    typeof value === 'boolean'
      ? value
      : typeof value === 'string' && /^(true|false)$/i.test(value)
        ? value.toLowerCase() === 'true'
        : undefined;
  if (b === undefined) throw invalid(`"${path}" is a boolean; compare it with true or false`);
  if (op !== 'eq' && op !== 'ne') throw invalid(`"${path}" is a boolean; only eq and ne apply`);
  const x = s.json ? `(lower(${s.expr}) = 'true')` : s.expr;
  const cmp = `${x} = ${params.add(b)}::boolean`;
  return op === 'eq' ? `(${cmp})` : `(NOT (${cmp}))`;
}

function compareDate(s: ScalarStorage, path: string, op: CompareOp, value: FilterValue, params: SqlParams): string {
  if (typeof value !== 'string' || !isStorableTimestamp(value)) {
    throw invalid(`"${path}" is a date-time; compare it with an ISO 8601 value such as "2024-01-31T00:00:00Z"`);
  }
  if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`"${op}" does not apply to the date-time "${path}"`);
  const x = typedExpr(s);
  const v = `${params.add(value)}::timestamptz`;
  if (op === 'eq') return `(${x} = ${v})`;
  if (op === 'ne') return `(${x} <> ${v})`;
  return `(${x} ${SQL_ORDER[op]} ${v})`;
}

function compareNumber(s: ScalarStorage, path: string, op: CompareOp, value: FilterValue, params: SqlParams): string {
  if (typeof value !== 'number') throw invalid(`"${path}" is a number; compare it with a number`);
  if (op === 'co' || op === 'sw' || op === 'ew') throw invalid(`"${op}" does not apply to the number "${path}"`);
  const x = typedExpr(s);
  const v = `${params.add(value)}::numeric`;
  if (op === 'eq') return `(${x} = ${v})`;
  if (op === 'ne') return `(${x} <> ${v})`;
  return `(${x} ${SQL_ORDER[op]} ${v})`;
}

/**
 * A scalar as a value of its declared type: JSON text of a number becomes numeric and of a date-time
 * timestamptz (NULL when the stored text is not one, so a stray value never fails the query), so
 * comparisons and sorting go by value (`9 < 10`), not by text (`"10" < "9"`).
 */
export function typedExpr(s: ScalarStorage): string {
  if (!s.json) return s.expr;
  if (s.type === 'integer' || s.type === 'decimal')
    return `(CASE WHEN ${s.expr} ~ '^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$' THEN (${s.expr})::numeric END)`;
  if (s.type === 'dateTime')
    return `(CASE WHEN ${s.expr} ~ ${literal(ISO_DATE.source)} THEN (${s.expr})::timestamptz END)`;
  return s.expr;
}

/** Ids are uuid columns: an id that is not a uuid matches nothing (eq) rather than failing the cast. */
function compareUuid(s: ScalarStorage, op: CompareOp, value: FilterValue, params: SqlParams): string {
  const text = String(value);
  if (op === 'eq') return UUID.test(text) ? `(${s.expr} = ${params.add(text.toLowerCase())}::uuid)` : 'false';
  if (op === 'ne' && UUID.test(text)) return `(${s.expr} <> ${params.add(text.toLowerCase())}::uuid)`;
  return compareText({ ...s, expr: `${s.expr}::text`, type: 'string', caseExact: false }, op, text, params);
}

/**
 * Storage for attributes kept in a JSON document column: `base` is the SQL expression of the
 * document (or of an extension's object within it).
 */
export function jsonStorage(base: string, attr: AttrDef, sub: AttrDef | undefined): Storage | undefined {
  const key = literal(attr.name);
  if (attr.multiValued) {
    if (attr.type !== 'complex') {
      const from = (alias: string) => `jsonb_array_elements_text(${arrayOf(`${base}->${key}`)}) AS ${alias}(v)`;
      const scalar: ScalarStorage = {
        kind: 'scalar',
        expr: '',
        type: attr.type,
        caseExact: attr.caseExact,
        json: true,
      };
      return { kind: 'elements', def: attr, from, element: (alias) => ({ ...scalar, expr: `${alias}.v` }) };
    }
    const storage: ElementsStorage = {
      kind: 'elements',
      def: attr,
      json: true,
      from: (alias) => `jsonb_array_elements(${arrayOf(`${base}->${key}`)}) AS ${alias}(el)`,
      element: (alias, s) => {
        const def = s ?? attr.sub?.get('value');
        if (!def || def.type === 'complex') return undefined;
        return {
          kind: 'scalar',
          expr: `(${alias}.el->>${literal(def.name)})`,
          type: def.type,
          caseExact: def.caseExact,
          json: true,
        };
      },
    };
    if (!sub) return storage;
    // `emails.value eq "x"`: any element whose sub-attribute matches.
    return {
      ...storage,
      element: (alias, s) => storage.element(alias, s ?? sub),
    };
  }
  if (attr.type === 'complex') {
    if (!sub)
      return {
        kind: 'complex',
        presentExpr: `(jsonb_typeof(${base}->${key}) = 'object' AND ${base}->${key} <> '{}'::jsonb)`,
      };
    return {
      kind: 'scalar',
      expr: `(${base}->${key}->>${literal(sub.name)})`,
      type: sub.type,
      caseExact: sub.caseExact,
      json: true,
    };
  }
  return { kind: 'scalar', expr: `(${base}->>${key})`, type: attr.type, caseExact: attr.caseExact, json: true };
}

function arrayOf(expr: string): string {
  return `(CASE WHEN jsonb_typeof(${expr}) = 'array' THEN ${expr} ELSE '[]'::jsonb END)`;
}

/** The `meta` sub-attributes every resource has, from the row's own columns. */
export function metaStorage(alias: string, resourceType: string, sub: string | undefined): Storage | undefined {
  switch (sub?.toLowerCase()) {
    case 'created':
      return { kind: 'scalar', expr: `${alias}.created_at`, type: 'dateTime', caseExact: false, json: false };
    case 'lastmodified':
      return { kind: 'scalar', expr: `${alias}.updated_at`, type: 'dateTime', caseExact: false, json: false };
    case 'resourcetype':
      return { kind: 'scalar', expr: literal(resourceType), type: 'string', caseExact: true, json: false };
    case 'version':
      return {
        kind: 'scalar',
        expr: `('W/"' || ${alias}.version || '"')`,
        type: 'string',
        caseExact: true,
        json: false,
      };
    default:
      return undefined;
  }
}

/**
 * Where an attribute lives for a resource type that does not have it (a query across types, RFC 7644
 * §3.4.2.1): no value, of the same shape and SQL type as `like`, so comparisons are false, `pr` is
 * false, `not (…)` is true and the sort value is NULL, and a UNION of types still type-checks.
 */
export function absentStorage(like: Storage): Storage {
  if (like.kind === 'complex') return { kind: 'complex', presentExpr: 'false' };
  if (like.kind === 'elements') {
    return {
      kind: 'elements',
      def: like.def,
      ...(like.json ? { json: true } : {}),
      from: (alias) => `(SELECT NULL::jsonb AS el WHERE false) AS ${alias}`,
      element: (alias, sub) => {
        const real = like.element(alias, sub);
        return real ? absentScalar(real) : undefined;
      },
    };
  }
  return absentScalar(like);
}

function absentScalar(like: ScalarStorage): ScalarStorage {
  return { ...like, expr: `NULL::${like.json ? 'text' : (SQL_TYPE[like.type] ?? 'text')}` };
}

// The SQL type of a column holding a value of this attribute type (JSON values are text).
const SQL_TYPE: Partial<Record<ScalarStorage['type'], string>> = {
  boolean: 'boolean',
  dateTime: 'timestamptz',
  integer: 'numeric',
  decimal: 'numeric',
  uuid: 'uuid',
};
