/** SCIM filter syntax tree (RFC 7644 §3.4.2.2). Attribute paths are kept as written; resolution comes later. */

export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type FilterValue = string | number | boolean | null;

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'compare'; path: string; op: CompareOp; value: FilterValue }
  | { kind: 'present'; path: string }
  /** `emails[type eq "work"]`: the inner filter's paths are sub-attributes of `path`. */
  | { kind: 'valuePath'; path: string; filter: FilterNode };
