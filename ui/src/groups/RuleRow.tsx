import type { Catalogue } from '../api/types';
import type { RuleErrors } from './rule-errors';
import type { DraftRule } from './rules';

interface RuleRowProps {
  draft: DraftRule;
  position: number;
  catalogue: Catalogue;
  /** What a permission rule may name (permissions and patterns). */
  permissions: string[];
  errors: RuleErrors;
  onChange: (change: Partial<DraftRule>) => void;
  onRemove: () => void;
}

/**
 * One rule: a permission or a role, optionally narrowed to resource ids and to people a condition (a SCIM
 * filter) matches; messages under the part they concern.
 */
export function RuleRow({ draft, position, catalogue, permissions, errors, onChange, onRemove }: RuleRowProps) {
  const id = (part: string) => `rule-${draft.id}-${part}`;
  const invalid = (part: keyof RuleErrors) =>
    errors[part] ? { 'aria-invalid': true, 'aria-describedby': id(`${part}-error`) } : {};
  const message = (part: keyof RuleErrors) =>
    errors[part] ? (
      <div class="field-error" id={id(`${part}-error`)} role="alert">
        {errors[part]}
      </div>
    ) : null;

  return (
    <fieldset class={errors.rule ? 'rule field-invalid' : 'rule'}>
      <legend>Rule {position}</legend>
      <div class="rule-fields">
        <div class="field">
          <label for={id('type')}>Grants</label>
          <select
            id={id('type')}
            value={draft.type}
            onChange={(e) => onChange({ type: e.currentTarget.value === 'role' ? 'role' : 'permission', value: '' })}
          >
            <option value="permission">A permission</option>
            <option value="role">A role</option>
          </select>
        </div>
        <div class={errors.value ? 'field field-invalid' : 'field'}>
          <label for={id('value')}>{draft.type === 'role' ? 'Role' : 'Permission'}</label>
          <select
            id={id('value')}
            value={draft.value}
            onChange={(e) => onChange({ value: e.currentTarget.value })}
            {...invalid('value')}
          >
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
          {message('value')}
        </div>
        <div class={errors.resources ? 'field field-invalid' : 'field'}>
          <label for={id('resources')}>Resource ids (optional)</label>
          <input
            id={id('resources')}
            type="text"
            placeholder="All resources"
            value={draft.resources}
            onInput={(e) => onChange({ resources: e.currentTarget.value })}
            aria-describedby={
              errors.resources ? `${id('resources-hint')} ${id('resources-error')}` : id('resources-hint')
            }
            aria-invalid={errors.resources ? true : undefined}
          />
          <span class="visually-hidden" id={id('resources-hint')}>
            Comma-separated; empty means every resource
          </span>
          {message('resources')}
        </div>
        <div class={errors.when ? 'field rule-when field-invalid' : 'field rule-when'}>
          <label for={id('when')}>Only when the person matches (optional)</label>
          <input
            id={id('when')}
            type="text"
            placeholder="Always"
            value={draft.when}
            onInput={(e) => onChange({ when: e.currentTarget.value })}
            aria-describedby={errors.when ? `${id('when-hint')} ${id('when-error')}` : id('when-hint')}
            aria-invalid={errors.when ? true : undefined}
          />
          <span class="visually-hidden" id={id('when-hint')}>
            A SCIM filter over the user's attributes, e.g. title eq "Lead"; the rule then grants only to keys acting for
            a person it matches, never to service keys
          </span>
          {message('when')}
        </div>
        <button
          type="button"
          class="button button-small button-quiet rule-remove"
          aria-label={`Remove rule ${position}`}
          onClick={onRemove}
        >
          Remove
        </button>
      </div>
      {message('rule')}
    </fieldset>
  );
}
