import type { ComponentChildren } from 'preact';

interface FieldProps {
  /** The control's id: the label and messages point at it. */
  id: string;
  label: string;
  hint?: ComponentChildren;
  error?: string;
  required?: boolean;
  children: ComponentChildren;
}

/** A labelled control with its hint and its error (from the server's `errors[]`) right under it. */
export function Field({ id, label, hint, error, required, children }: FieldProps) {
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>
        {label}
        {required ? <span class="required"> (required)</span> : null}
      </label>
      {children}
      {hint ? (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div class="field-error" id={`${id}-error`} role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/** aria attributes a control inside <Field> carries. */
export function describedBy(id: string, options: { hint?: boolean; error?: string }) {
  const ids = [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : ''].filter(Boolean);
  return {
    'aria-describedby': ids.length ? ids.join(' ') : undefined,
    'aria-invalid': options.error ? true : undefined,
  };
}
