import type { z } from 'zod';
import { HttpError } from './http-error.js';

/** Parses input with a zod schema; failures are 400 problem details naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.join('.') || what,
    message: issue.message,
  }));
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  throw new HttpError(400, 'validation_failed', `Invalid ${what}: ${summary}`, { scimType: 'invalidValue', errors });
}
