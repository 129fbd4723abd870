import { useState } from 'preact/hooks';
import { orgApi } from '../api/org-api';
import type { ExpirationPreset, Organization, OrgPolicy } from '../api/types';
import { Choice } from '../components/Choice';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { ALL_PRESETS, PRESET_LABELS } from '../lib/expiration';
import { type FormErrors, formErrors, withoutField } from '../lib/field-errors';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession } from '../lib/session';

type PolicyField = 'maxKeys' | 'allowedExpirations' | 'allowNever' | 'maxScimKeyLifetimeDays' | 'selfServiceKeys';
const FIELDS: readonly PolicyField[] = [
  'maxKeys',
  'allowedExpirations',
  'allowNever',
  'maxScimKeyLifetimeDays',
  'selfServiceKeys',
];

interface Draft {
  maxKeys: string;
  allowedExpirations: ExpirationPreset[];
  allowNever: boolean;
  maxScimKeyLifetimeDays: string;
  selfServiceKeys: boolean | undefined;
}

function draftOf(policy: OrgPolicy): Draft {
  return {
    maxKeys: String(policy.maxKeys),
    allowedExpirations: [...policy.allowedExpirations],
    allowNever: policy.allowNever,
    maxScimKeyLifetimeDays: policy.maxScimKeyLifetimeDays === null ? '' : String(policy.maxScimKeyLifetimeDays),
    selfServiceKeys: typeof policy.selfServiceKeys === 'boolean' ? policy.selfServiceKeys : undefined,
  };
}

/** A whole number as typed, or the text itself, so the server names what is wrong with it. */
function numberOf(text: string): number | string {
  const trimmed = text.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** What PATCH /organizations/current is sent: every field the form shows. */
function patchOf(draft: Draft): Record<string, unknown> {
  const scimDays = draft.maxScimKeyLifetimeDays.trim();
  return {
    maxKeys: numberOf(draft.maxKeys),
    allowedExpirations: draft.allowedExpirations,
    allowNever: draft.allowNever,
    maxScimKeyLifetimeDays: scimDays === '' ? null : numberOf(scimDays),
    // Only where the server offers self-service keys (it refuses fields it does not know).
    ...(draft.selfServiceKeys === undefined ? {} : { selfServiceKeys: draft.selfServiceKeys }),
  };
}

/** The organization's key policy (and self-service keys where the server has them), saved in one PATCH. */
export function PolicyForm({ organization }: { organization: Organization }) {
  const { api, can } = useSession();
  const admin = can('org:admin');
  const [draft, setDraft] = useState<Draft>(() => draftOf(organization.policy));
  const [errors, setErrors] = useState<FormErrors<PolicyField>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const form = useFocusFirstInvalid(errors);

  const edit = (field: PolicyField, next: Partial<Draft>) => {
    setSaved(false);
    setErrors(withoutField(errors, field));
    setDraft({ ...draft, ...next });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    try {
      const org = await orgApi.updatePolicy(api, patchOf(draft) as Partial<OrgPolicy>);
      setDraft(draftOf(org.policy));
      setErrors({ fields: {} });
      setSaved(true);
    } catch (error) {
      setErrors(formErrors<PolicyField>(error, (field) => FIELDS.find((f) => f === field.split('.')[0])));
    } finally {
      setBusy(false);
    }
  };

  const togglePreset = (preset: ExpirationPreset, on: boolean) =>
    edit('allowedExpirations', {
      allowedExpirations: ALL_PRESETS.filter((p) => (p === preset ? on : draft.allowedExpirations.includes(p))),
    });

  return (
    <form ref={form} class="form" onSubmit={submit} aria-labelledby="policy-title" noValidate>
      <fieldset class="plain-fieldset" disabled={!admin}>
        <Field
          id="policy-max-keys"
          label="Most keys"
          hint="Live keys the organization may hold at once."
          error={errors.fields.maxKeys}
          required
        >
          <input
            id="policy-max-keys"
            type="number"
            inputMode="numeric"
            min={1}
            value={draft.maxKeys}
            onInput={(e) => edit('maxKeys', { maxKeys: e.currentTarget.value })}
            {...describedBy('policy-max-keys', { hint: true, error: errors.fields.maxKeys })}
          />
        </Field>
        <fieldset
          class={errors.fields.allowedExpirations ? 'field field-invalid plain-fieldset' : 'field plain-fieldset'}
          aria-describedby={errors.fields.allowedExpirations ? 'policy-expirations-error' : undefined}
        >
          <legend>Expirations people may choose</legend>
          <ul class="toggles">
            {ALL_PRESETS.map((preset) => (
              <li key={preset}>
                <Choice
                  id={`policy-expiration-${preset}`}
                  type="checkbox"
                  label={PRESET_LABELS[preset]}
                  checked={draft.allowedExpirations.includes(preset)}
                  onChange={(on) => togglePreset(preset, on)}
                />
              </li>
            ))}
          </ul>
          {errors.fields.allowedExpirations ? (
            <div class="field-error" id="policy-expirations-error" role="alert">
              {errors.fields.allowedExpirations}
            </div>
          ) : null}
        </fieldset>
        <Choice
          id="policy-allow-never"
          type="checkbox"
          label="Keys may never expire"
          hint="Off: every key gets an expiry date."
          checked={draft.allowNever}
          onChange={(on) => edit('allowNever', { allowNever: on })}
        />
        <Field
          id="policy-scim-days"
          label="Longest SCIM key lifetime (days)"
          hint="Empty: no cap beyond the expirations above."
          error={errors.fields.maxScimKeyLifetimeDays}
        >
          <input
            id="policy-scim-days"
            type="number"
            inputMode="numeric"
            min={1}
            value={draft.maxScimKeyLifetimeDays}
            onInput={(e) => edit('maxScimKeyLifetimeDays', { maxScimKeyLifetimeDays: e.currentTarget.value })}
            {...describedBy('policy-scim-days', { hint: true, error: errors.fields.maxScimKeyLifetimeDays })}
          />
        </Field>
        {draft.selfServiceKeys !== undefined ? (
          <section class="subsection" aria-labelledby="self-service-title">
            <h3 id="self-service-title">Self-service keys</h3>
            <Choice
              id="policy-self-service"
              type="checkbox"
              toggle
              label="People may create and manage their own personal keys"
              hint="A signed-in person’s key never holds more than they do. Off: only key managers issue personal keys."
              checked={draft.selfServiceKeys}
              onChange={(on) => edit('selfServiceKeys', { selfServiceKeys: on })}
            />
            {errors.fields.selfServiceKeys ? (
              <div class="field-error" role="alert">
                {errors.fields.selfServiceKeys}
              </div>
            ) : null}
          </section>
        ) : null}
      </fieldset>
      {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
      {saved ? <Notice kind="success">Policy saved.</Notice> : null}
      {admin ? (
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save policy'}
          </button>
        </div>
      ) : (
        <p class="muted">Changing the policy needs the org:admin permission.</p>
      )}
    </form>
  );
}
