import type { PermissionInfo } from '../api/types';
import { Choice } from '../components/Choice';

/** Kognitos' choice: everything the key inherits, read only, or chosen permissions. */
export type Access = { mode: 'all' } | { mode: 'read' } | { mode: 'restricted'; permissions: string[] };

export const READ_ONLY = ['*:read'];

/** The `permissions` a request carries for a choice (absent means no subset). */
export function permissionsOf(access: Access): string[] | undefined {
  if (access.mode === 'all') return undefined;
  if (access.mode === 'read') return READ_ONLY;
  return access.permissions;
}

interface AccessFieldProps {
  value: Access;
  onChange: (value: Access) => void;
  catalogue: PermissionInfo[];
  error?: string;
}

const MODES: { mode: Access['mode']; label: string; hint: string }[] = [
  { mode: 'all', label: 'All', hint: 'Everything the key’s group (or owner) grants' },
  { mode: 'read', label: 'Read only', hint: 'Only the read permissions among them' },
  { mode: 'restricted', label: 'Restricted', hint: 'Only the permissions you pick' },
];

/** The permission subset: a radio group, and per-permission toggles for Restricted. */
export function AccessField({ value, onChange, catalogue, error }: AccessFieldProps) {
  const chosen = value.mode === 'restricted' ? value.permissions : [];
  const toggle = (name: string, on: boolean) =>
    onChange({ mode: 'restricted', permissions: on ? [...chosen, name] : chosen.filter((p) => p !== name) });
  return (
    <fieldset
      class={error ? 'field field-invalid' : 'field'}
      aria-describedby={error ? 'key-permissions-error' : undefined}
    >
      <legend>Permissions</legend>
      <div class="choices">
        {MODES.map((m) => (
          <Choice
            key={m.mode}
            id={`key-access-${m.mode}`}
            type="radio"
            name="key-access"
            value={m.mode}
            label={m.label}
            hint={m.hint}
            checked={value.mode === m.mode}
            onChange={() =>
              onChange(m.mode === 'restricted' ? { mode: 'restricted', permissions: chosen } : { mode: m.mode })
            }
          />
        ))}
      </div>
      {value.mode === 'restricted' ? (
        <ul class="toggles" aria-label="Permissions the key keeps">
          {catalogue.map((permission) => (
            <li key={permission.name}>
              <Choice
                id={`key-permission-${permission.name.replace(/[^a-z0-9]/gi, '-')}`}
                type="checkbox"
                toggle
                label={<code>{permission.name}</code>}
                hint={permission.description}
                checked={chosen.includes(permission.name)}
                onChange={(on) => toggle(permission.name, on)}
              />
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <div class="field-error" id="key-permissions-error" role="alert">
          {error}
        </div>
      ) : null}
    </fieldset>
  );
}
