import type { Catalogue, Rule } from '../api/types';

/** "keys:read", "role viewer", "projects:write on p1, p2". */
export function ruleText(rule: Rule): string {
  const what = rule.role !== undefined ? `role ${rule.role}` : (rule.permission ?? '');
  const on = rule.resources?.length ? `${what} on ${rule.resources.join(', ')}` : what;
  return rule.when ? `${on} when ${rule.when}` : on;
}

/** A rule as the editor holds it: resources as the text the admin types. */
export interface DraftRule {
  /** Stable identity for the list while rows come and go. */
  id: number;
  type: 'permission' | 'role';
  value: string;
  resources: string;
  /** The condition on the person (a SCIM filter over the user), as typed; empty: always applies. */
  when: string;
}

let nextId = 1;

export function draftOf(rule: Rule): DraftRule {
  return {
    id: nextId++,
    type: rule.role !== undefined ? 'role' : 'permission',
    value: rule.role ?? rule.permission ?? '',
    resources: rule.resources?.join(', ') ?? '',
    when: rule.when ?? '',
  };
}

export function emptyDraft(): DraftRule {
  return { id: nextId++, type: 'permission', value: '', resources: '', when: '' };
}

export function ruleOf(draft: DraftRule): Rule {
  const resources = draft.resources
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const named: Rule = draft.type === 'role' ? { role: draft.value } : { permission: draft.value };
  const when = draft.when.trim();
  return { ...named, ...(resources.length ? { resources } : {}), ...(when ? { when } : {}) };
}

/**
 * What a rule may name: the known permissions and the patterns over them (`keys:*`, `*:read`,
 * `*`), plus anything already in use so no rule is lost by opening the editor.
 */
export function permissionChoices(catalogue: Catalogue, inUse: string[]): string[] {
  const names = catalogue.permissions.map((p) => p.name);
  const resources = [...new Set(names.map((n) => n.split(':')[0]))].map((r) => `${r}:*`);
  const actions = [...new Set(names.map((n) => n.split(':')[1]))].map((a) => `*:${a}`);
  return [...new Set([...names, ...resources, ...actions, '*', ...inUse.filter(Boolean)])];
}
