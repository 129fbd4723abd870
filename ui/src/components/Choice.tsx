import type { ComponentChildren, TargetedEvent } from 'preact';

interface ChoiceProps {
  id: string;
  type: 'radio' | 'checkbox';
  label: ComponentChildren;
  hint?: ComponentChildren;
  checked: boolean;
  onChange: (checked: boolean) => void;
  name?: string;
  value?: string;
  disabled?: boolean;
  /** A checkbox that reads as an on/off switch (per-permission toggles). */
  toggle?: boolean;
}

/** A radio or checkbox named by its label alone, its hint read as a description. */
export function Choice({ id, type, label, hint, checked, onChange, name, value, disabled, toggle }: ChoiceProps) {
  const common = {
    id,
    name,
    value,
    checked,
    disabled,
    'aria-describedby': hint ? `${id}-hint` : undefined,
    onChange: (e: TargetedEvent<HTMLInputElement>) => onChange(e.currentTarget.checked),
  };
  return (
    <div class="choice">
      {type === 'radio' ? (
        <input type="radio" {...common} />
      ) : (
        <input type="checkbox" role={toggle ? 'switch' : undefined} {...common} />
      )}
      <div>
        <label for={id} class="choice-label">
          {label}
        </label>
        {hint ? (
          <div class="choice-hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}
