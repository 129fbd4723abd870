import { useState } from 'preact/hooks';
import { groupsApi } from '../api/groups-api';
import { ApiError, messageOf } from '../api/problem';
import type { Catalogue, GroupDetail } from '../api/types';
import { Notice } from '../components/Notice';
import { useSession } from '../lib/session';
import { draftOf, emptyDraft, permissionChoices, ruleOf, type DraftRule } from './rules';

interface RulesEditorProps {
  group: GroupDetail;
  catalogue: Catalogue;
  onSaved: () => void;
}

interface SaveErrors {
  rows: Record<number, string>;
  general?: string;
}

/** `rules.3.permission` → 3: the server names the rule each message is about. */
function rowOf(field: string): number | undefined {
  const match = /^rules\.(\d+)/.exec(field);
  return match ? Number(match[1]) : undefined;
}

function saveErrorsOf(error: unknown): SaveErrors {
  if (!(error instanceof ApiError)) return { rows: {}, general: messageOf(error) };
  const rows: Record<number, string> = {};
  for (const { field, message } of error.fieldErrors) {
    const row = rowOf(field);
    if (row !== undefined) rows[row] = rows[row] ? `${rows[row]}; ${message}` : message;
  }
  return { rows, general: Object.keys(rows).length ? undefined : error.detail };
}

/** Replaces the group's rules as a whole (PUT); every key on the group uses them from the next request. */
export function RulesEditor({ group, catalogue, onSaved }: RulesEditorProps) {
  const { api } = useSession();
  const [drafts, setDrafts] = useState<DraftRule[]>(() => group.rules.map(draftOf));
  const [errors, setErrors] = useState<SaveErrors>({ rows: {} });
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const permissions = permissionChoices(
    catalogue,
    drafts.filter((d) => d.type === 'permission').map((d) => d.value),
  );

  const update = (id: number, change: Partial<DraftRule>) => {
    setSaved(null);
    setDrafts(drafts.map((d) => (d.id === id ? { ...d, ...change } : d)));
  };

  const save = async (event: Event) => {
    event.preventDefault();
    const missing: Record<number, string> = {};
    drafts.forEach((d, i) => {
      if (!d.value) missing[i] = d.type === 'role' ? 'Choose a role' : 'Choose a permission';
    });
    if (Object.keys(missing).length) {
      setErrors({ rows: missing });
      return;
    }
    setBusy(true);
    setErrors({ rows: {} });
    setSaved(null);
    try {
      const updated = await groupsApi.setRules(api, group.id, drafts.map(ruleOf));
      setDrafts(updated.rules.map(draftOf));
      const keys = updated.keys.length;
      setSaved(`Rules saved. ${keys === 1 ? 'The group’s key uses' : `The group’s ${keys} keys use`} them from now on.`);
      onSaved();
    } catch (error) {
      setErrors(saveErrorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={save} class="form rules-editor" noValidate>
      {drafts.length === 0 ? <p class="muted">No rules: this group grants nothing yet.</p> : null}
      <ol class="rules">
        {drafts.map((draft, i) => (
          <li key={draft.id}>
            <fieldset class={errors.rows[i] ? 'rule field-invalid' : 'rule'} aria-describedby={errors.rows[i] ? `rule-${draft.id}-error` : undefined}>
              <legend>Rule {i + 1}</legend>
              <div class="rule-fields">
                <div class="field">
                  <label for={`rule-${draft.id}-type`}>Grants</label>
                  <select
                    id={`rule-${draft.id}-type`}
                    value={draft.type}
                    onChange={(e) => update(draft.id, { type: e.currentTarget.value === 'role' ? 'role' : 'permission', value: '' })}
                  >
                    <option value="permission">A permission</option>
                    <option value="role">A role</option>
                  </select>
                </div>
                <div class="field">
                  <label for={`rule-${draft.id}-value`}>{draft.type === 'role' ? 'Role' : 'Permission'}</label>
                  <select id={`rule-${draft.id}-value`} value={draft.value} onChange={(e) => update(draft.id, { value: e.currentTarget.value })}>
                    <option value="">Choose…</option>
                    {draft.type === 'role'
                      ? catalogue.roles.map((role) => (
                          <option key={role.name} value={role.name}>
                            {role.name} ({role.permissions.join(', ')})
                          </option>
                        ))
                      : permissions.map((name) => (
                          <option key={name} value={name}>
                            {name}
                          </option>
                        ))}
                  </select>
                </div>
                <div class="field field-grow">
                  <label for={`rule-${draft.id}-resources`}>Resource ids (optional)</label>
                  <input
                    id={`rule-${draft.id}-resources`}
                    type="text"
                    placeholder="All resources"
                    value={draft.resources}
                    onInput={(e) => update(draft.id, { resources: e.currentTarget.value })}
                    aria-describedby={`rule-${draft.id}-resources-hint`}
                  />
                  <span class="visually-hidden" id={`rule-${draft.id}-resources-hint`}>
                    Comma-separated; empty means every resource
                  </span>
                </div>
                <button
                  type="button"
                  class="button button-small button-quiet rule-remove"
                  aria-label={`Remove rule ${i + 1}`}
                  onClick={() => {
                    setSaved(null);
                    setDrafts(drafts.filter((d) => d.id !== draft.id));
                  }}
                >
                  Remove
                </button>
              </div>
              {errors.rows[i] ? (
                <div class="field-error" id={`rule-${draft.id}-error`} role="alert">
                  {errors.rows[i]}
                </div>
              ) : null}
            </fieldset>
          </li>
        ))}
      </ol>
      {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
      {saved ? <Notice kind="success">{saved}</Notice> : null}
      <div class="dialog-actions">
        <button
          type="button"
          class="button"
          onClick={() => {
            setSaved(null);
            setDrafts([...drafts, emptyDraft()]);
          }}
        >
          Add rule
        </button>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save rules'}
        </button>
      </div>
    </form>
  );
}
