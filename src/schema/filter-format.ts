import type { FilterNode } from './filter-ast.js';

/** Writes a filter tree back as RFC 7644 text (used to hand canonicalised value filters to scimmy). */
export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${formatFilter(node.left)} ${node.kind} ${formatFilter(node.right)})`;
    case 'not':
      return `not (${formatFilter(node.expr)})`;
    case 'present':
      return `${node.path} pr`;
    case 'valuePath':
      return `${node.path}[${formatFilter(node.filter)}]`;
    case 'compare':
      return `${node.path} ${node.op} ${JSON.stringify(node.value)}`;
  }
}

/** Applies `rename` to every attribute path in the tree. */
export function mapPaths(node: FilterNode, rename: (path: string) => string): FilterNode {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { ...node, left: mapPaths(node.left, rename), right: mapPaths(node.right, rename) };
    case 'not':
      return { ...node, expr: mapPaths(node.expr, rename) };
    case 'valuePath':
      return { ...node, path: rename(node.path) };
    default:
      return { ...node, path: rename(node.path) };
  }
}
