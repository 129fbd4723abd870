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

/** Expiration: a preset or a day, with the exact moment the key will stop working under it. */
export function ExpirationField({ value, presets, onChange, error }: ExpirationFieldProps) {
  const expiry = expiryOf(value);
  const tomorrow = isoDay(new Date(Date.now() + 24 * 3600 * 1000));
  const hint =
    expiry === undefined ? 'Pick the last day the key works.' : expiry === null ? 'This key never expires. Prefer an expiration you can rotate before.' : `Expires ${formatDateTime(expiry)}`;
  return (
    <>
      <Field id="key-expiration" label="Expiration" hint={<span data-testid="expiry-preview">{hint}</span>} error={'preset' in value ? error : undefined}>
        <select
          id="key-expiration"
          value={'preset' in value ? value.preset : CUSTOM}
          onChange={(e) => {
            const selected = e.currentTarget.value;
            const preset = presets.find((p) => p === selected);
            onChange(preset ? { preset } : { date: 'date' in value ? value.date : '' });
          }}
          {...describedBy('key-expiration', { hint: true, error: 'preset' in value ? error : undefined })}
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
        <Field id="key-expires-at" label="Expiration date" error={error}>
          <input id="key-expires-at" type="date" min={tomorrow} value={value.date} onInput={(e) => onChange({ date: e.currentTarget.value })} {...describedBy('key-expires-at', { error })} />
        </Field>
      ) : null}
    </>
  );
}
