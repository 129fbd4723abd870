import { ApiError, messageOf } from '../api/problem';

/** Server fields (`expiresAt`, `permissions.2`) folded onto the form's fields, plus what fits none. */
export interface FormErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  general?: string;
}

/**
 * Places each of the server's `errors[]` next to the form field it concerns; `fieldOf` maps a
 * server field to a form field (or undefined when the form has none). The summary `detail`
 * shows at the form's foot when no field took a message.
 */
export function formErrors<F extends string>(
  error: unknown,
  fieldOf: (serverField: string) => F | undefined,
): FormErrors<F> {
  if (!(error instanceof ApiError)) return { fields: {}, general: messageOf(error) };
  const fields: Partial<Record<F, string>> = {};
  const leftover: string[] = [];
  for (const { field, message } of error.fieldErrors) {
    const target = fieldOf(field);
    if (target === undefined) leftover.push(`${field}: ${message}`);
    else fields[target] = fields[target] ? `${fields[target]}; ${message}` : message;
  }
  const placed = Object.keys(fields).length > 0;
  const general = leftover.length ? leftover.join('; ') : placed ? undefined : error.detail;
  return { fields, general };
}

/** The errors without `field`'s: a message goes away as soon as the user edits what it was about. */
export function withoutField<F extends string>(errors: FormErrors<F>, field: F): FormErrors<F> {
  if (errors.fields[field] === undefined) return errors;
  const fields = { ...errors.fields };
  delete fields[field];
  return { ...errors, fields };
}
