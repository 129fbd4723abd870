import { useEffect, useRef, useState } from 'preact/hooks';
import { groupsApi } from '../api/groups-api';
import type { Catalogue, GroupDetail } from '../api/types';
import { Notice } from '../components/Notice';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession } from '../lib/session';
import { saveErrorsOf, type SaveErrors } from './rule-errors';
import { RuleRow } from './RuleRow';
import { draftOf, emptyDraft, permissionChoices, ruleOf, type DraftRule } from './rules';

interface RulesEditorProps {
  group: GroupDetail;
  catalogue: Catalogue;
  onSaved: () => void;
}

function keysNote(keys: number): string {
  if (keys === 0) return 'Keys put on this group (or on groups nested in it) will use them.';
  return keys === 1
    ? 'The group’s key uses them from its next request.'
    : `The group’s ${keys} keys use them from their next request.`;
}

/** Replaces the group's rules as a whole (PUT); every key on the group uses them from the next request. */
export function RulesEditor({ group, catalogue, onSaved }: RulesEditorProps) {
  const { api } = useSession();
  const [drafts, setDrafts] = useState<DraftRule[]>(() => group.rules.map(draftOf));
  const [errors, setErrors] = useState<SaveErrors>({ rows: {} });
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Keyboard users follow their action: into a rule they add, back to "Add rule" after a removal.
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  const addButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (focusTarget === 'add') addButton.current?.focus();
    else if (focusTarget) document.getElementById(focusTarget)?.focus();
    if (focusTarget) setFocusTarget(null);
  }, [focusTarget]);
  const formRef = useFocusFirstInvalid(errors);
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
    const missing: SaveErrors['rows'] = {};
    drafts.forEach((d, i) => {
      if (!d.value) missing[i] = { value: d.type === 'role' ? 'Choose a role' : 'Choose a permission' };
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
      setSaved(`Rules saved. ${keysNote(updated.keys.length)}`);
      onSaved();
    } catch (error) {
      setErrors(saveErrorsOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form ref={formRef} onSubmit={save} class="form rules-editor" noValidate>
      {drafts.length === 0 ? <p class="muted">No rules: this group grants nothing yet.</p> : null}
      <ol class="rules">
        {drafts.map((draft, i) => (
          <li key={draft.id}>
            <RuleRow
              draft={draft}
              position={i + 1}
              catalogue={catalogue}
              permissions={permissions}
              errors={errors.rows[i] ?? {}}
              onChange={(change) => update(draft.id, change)}
              onRemove={() => {
                setSaved(null);
                setDrafts(drafts.filter((d) => d.id !== draft.id));
                setFocusTarget('add');
              }}
            />
          </li>
        ))}
      </ol>
      {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
      {saved ? <Notice kind="success">{saved}</Notice> : null}
      <div class="dialog-actions">
        <button
          ref={addButton}
          type="button"
          class="button"
          onClick={() => {
            const draft = emptyDraft();
            setSaved(null);
            setDrafts([...drafts, draft]);
            setFocusTarget(`rule-${draft.id}-type`);
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
