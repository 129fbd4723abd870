import type { ExpirationPreset } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { formatDateTime } from '../lib/format';
import { expiryOf, isoDay, PRESET_LABELS, type ExpirationChoice } from '../lib/expiration';

interface ExpirationFieldProps {
  value: ExpirationChoice;
  presets: ExpirationPreset[];
  onChange: (value: ExpirationChoice) => void;
  error?: string;
}

const CUSTOM = 'date';

/** The exact moment a key made now would stop working, in words. */
function expiryText(choice: ExpirationChoice): string {
  const expiry = expiryOf(choice);
  if (expiry === undefined) return 'Pick the last day the key works.';
  if (expiry === null) return 'This key never expires. Prefer an expiration you can rotate before.';
  if (expiry.getTime() <= Date.now()) return `${formatDateTime(expiry)} has passed: pick a later day.`;
  return `Expires ${formatDateTime(expiry)}`;
}

/** Expiration: a preset or a day, with the exact expiry under the field that decides it. */
export function ExpirationField({ value, presets, onChange, error }: ExpirationFieldProps) {
  const custom = 'date' in value;
  const preview = <span data-testid="expiry-preview">{expiryText(value)}</span>;
  const tomorrow = isoDay(new Date(Date.now() + 24 * 3600 * 1000));
  return (
    <>
      <Field
        id="key-expiration"
        label="Expiration"
        hint={custom ? undefined : preview}
        error={custom ? undefined : error}
      >
        <select
          id="key-expiration"
          value={'preset' in value ? value.preset : CUSTOM}
          onChange={(e) => {
            const selected = e.currentTarget.value;
            const preset = presets.find((p) => p === selected);
            onChange(preset ? { preset } : { date: 'date' in value ? value.date : '' });
          }}
          {...describedBy('key-expiration', { hint: !custom, error: custom ? undefined : error })}
        >
          {presets.map((preset) => (
            <option key={preset} value={preset}>
              {PRESET_LABELS[preset]}
            </option>
          ))}
          <option value={CUSTOM}>Custom date…</option>
        </select>
      </Field>
      {'date' in value ? (
        <Field id="key-expires-at" label="Expiration date" hint={preview} error={error}>
          <input
            id="key-expires-at"
            type="date"
            min={tomorrow}
            value={value.date}
            onInput={(e) => onChange({ date: e.currentTarget.value })}
            {...describedBy('key-expires-at', { hint: true, error })}
          />
        </Field>
      ) : null}
    </>
  );
}
