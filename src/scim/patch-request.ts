import { badRequest } from '../http/http-error.js';
import { isPlainObject } from './attributes/coerce.js';
import { PATCH_OP_SCHEMA } from '../schema/scimmy.js';

export type PatchOpName = 'add' | 'remove' | 'replace';

export interface RawOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
  /** 1-based, for error messages. */
  index: number;
}

const MAX_OPERATIONS = 1000;

/**
 * Reads a PatchOp message (RFC 7644 §3.5.2). Operation names and member keys are read in any case
 * (Entra sends "Replace", "Add", "Remove"); anything else malformed is 400 invalidSyntax.
 */
export function readPatchRequest(body: unknown): RawOperation[] {
  if (!isPlainObject(body)) throw badRequest('The body must be a PatchOp JSON object', 'invalidSyntax');
  const fields = Object.fromEntries(Object.entries(body).map(([k, v]) => [k.toLowerCase(), v]));
  const schemas = fields.schemas;
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
  ) {
    throw badRequest(`A PATCH body must list "${PATCH_OP_SCHEMA}" in schemas`, 'invalidSyntax');
  }
  const operations = fields.operations;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw badRequest('A PATCH body needs a non-empty Operations array', 'invalidValue');
  }
  if (operations.length > MAX_OPERATIONS)
    throw badRequest(`A PATCH body may carry at most ${MAX_OPERATIONS} operations`, 'invalidValue');
  return operations.map((raw, i) => {
    const index = i + 1;
    if (!isPlainObject(raw)) throw badRequest(`Operation ${index} must be an object`, 'invalidSyntax');
    const op = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
    const name = typeof op.op === 'string' ? op.op.toLowerCase() : undefined;
    if (name !== 'add' && name !== 'remove' && name !== 'replace') {
      throw badRequest(`Operation ${index}: "op" must be add, remove or replace`, 'invalidSyntax');
    }
    if (op.path !== undefined && typeof op.path !== 'string')
      throw badRequest(`Operation ${index}: "path" must be a string`, 'invalidPath');
    const path = typeof op.path === 'string' && op.path.trim() !== '' ? op.path : undefined;
    if (name === 'remove' && path === undefined)
      throw badRequest(`Operation ${index}: remove needs a path`, 'noTarget');
    if (name !== 'remove' && !('value' in op))
      throw badRequest(`Operation ${index}: ${name} needs a value`, 'invalidValue');
    return { op: name, ...(path !== undefined ? { path } : {}), ...('value' in op ? { value: op.value } : {}), index };
  });
}
