import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { directoryApi } from '../api/directory-api';
import { allGroups } from '../api/groups-api';
import { keysApi, type CreateKeyRequest } from '../api/keys-api';
import { ApiError, messageOf } from '../api/problem';
import type { ApiKey, Group, IssuedKey, KeyKind } from '../api/types';
import { Dialog } from '../components/Dialog';
import { Choice } from '../components/Choice';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { allowedPresets, DEFAULT_PRESET, expirationFields, type ExpirationChoice } from '../lib/expiration';
import { formErrors, withoutField, type FormErrors } from '../lib/field-errors';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession, type Session } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { AccessField, permissionsOf, type Access } from './AccessField';
import { ExpirationField } from './ExpirationField';
import { IssuedKeyView } from './IssuedKeyView';
import { OwnerField } from './OwnerField';

type FormField =
  | 'name'
  | 'description'
  | 'expiration'
  | 'groupId'
  | 'kind'
  | 'ownerUserId'
  | 'permissions'
  | 'scim'
  | 'impersonation';

function formFieldOf(serverField: string): FormField | undefined {
  if (serverField === 'expiresAt') return 'expiration';
  if (serverField.startsWith('permissions')) return 'permissions';
  const known: FormField[] = [
    'name',
    'description',
    'expiration',
    'groupId',
    'kind',
    'ownerUserId',
    'scim',
    'impersonation',
  ];
  return known.find((f) => f === serverField);
}

/** The groups a key may be put in; a key without groups:read gets none offered. */
async function groupsFor(session: Session): Promise<Group[]> {
  if (!session.can('groups:read')) return [];
  try {
    return await allGroups(session.api);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return [];
    throw error;
  }
}

interface CreateKeyDialogProps {
  onClose: () => void;
  onCreated: (key: ApiKey) => void;
}

/** Create API key, then (in the same dialog) its token, shown once. */
export function CreateKeyDialog({ onClose, onCreated }: CreateKeyDialogProps) {
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  return (
    <Dialog title={issued ? 'API key created' : 'Create API key'} onClose={onClose} wide={!issued}>
      {issued ? (
        <IssuedKeyView issued={issued} onDone={onClose} />
      ) : (
        <CreateKeyForm
          onCancel={onClose}
          onCreated={(result) => {
            setIssued(result);
            onCreated(result.key);
          }}
        />
      )}
    </Dialog>
  );
}

function CreateKeyForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (issued: IssuedKey) => void }) {
  const session = useSession();
  const { api, me, can } = session;
  const mayCreateService = can('keys:manage');
  // A personal key for someone else acts as that person: only org:admin may issue one (DESIGN §9).
  const mayActForOthers = can('org:admin');
  const [choices] = useLoad(
    () => Promise.all([groupsFor(session), directoryApi.catalogue(api), directoryApi.organization(api)]),
    [],
  );

  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [expiration, setExpiration] = useState<ExpirationChoice>({ preset: DEFAULT_PRESET });
  const [kind, setKind] = useState<KeyKind>(mayCreateService ? me.key.kind : 'personal');
  const [groupId, setGroupId] = useState('');
  const [ownerUserId, setOwnerUserId] = useState('');
  const [access, setAccess] = useState<Access>({ mode: 'all' });
  const [scim, setScim] = useState(false);
  const [impersonation, setImpersonation] = useState(false);
  // The server decides; the toggle is offered only to callers it would allow (org:admin or keys:impersonate).
  const mayImpersonate = can('org:admin') || can('keys:impersonate');
  const [errors, setErrors] = useState<FormErrors<FormField>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  // Focus moves to the first invalid field after a submit, never while the user edits.
  const [submits, setSubmits] = useState(0);
  const formRef = useFocusFirstInvalid(submits);
  // Editing a field clears the message about it.
  const edited =
    <T,>(field: FormField, set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setErrors((current) => withoutField(current, field));
    };
  // The form appears after its choices load, when the dialog has already placed focus.
  const nameInput = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => nameInput.current?.focus(), [choices.state]);

  if (choices.state === 'loading') return <p aria-busy="true">Loading…</p>;
  if (choices.state === 'error') return <Notice kind="error">{messageOf(choices.error)}</Notice>;
  const [groups, catalogue, organization] = choices.data;
  const presets = allowedPresets(organization.policy);

  const submit = async (event: Event) => {
    event.preventDefault();
    const local: FormErrors<FormField>['fields'] = {};
    if (!name.trim()) local.name = 'Give the key a name';
    if (access.mode === 'restricted' && access.permissions.length === 0)
      local.permissions = 'Pick at least one permission, or choose All or Read only';
    if ('date' in expiration && !expiration.date) local.expiration = 'Pick a date';
    if (Object.keys(local).length) {
      setErrors({ fields: local });
      setSubmits((n) => n + 1);
      return;
    }
    const body: CreateKeyRequest = {
      name,
      kind,
      ...(description ? { description } : {}),
      ...(groupId ? { groupId } : {}),
      ...(kind === 'personal' && ownerUserId ? { ownerUserId } : {}),
      ...(scim ? { scim } : {}),
      ...(impersonation ? { impersonation } : {}),
      ...(permissionsOf(access) ? { permissions: permissionsOf(access) } : {}),
      ...expirationFields(expiration),
    };
    setBusy(true);
    setErrors({ fields: {} });
    try {
      onCreated(await keysApi.create(api, body));
    } catch (error) {
      setErrors(formErrors(error, formFieldOf));
      setSubmits((n) => n + 1);
      setBusy(false);
    }
  };

  const e = errors.fields;
  return (
    <form ref={formRef} onSubmit={submit} noValidate class="form">
      <Field
        id="key-name"
        label="Name"
        required
        error={e.name}
        hint="Where the key is used, e.g. “Okta provisioning” or “CI deploy”."
      >
        <input
          ref={nameInput}
          id="key-name"
          type="text"
          value={name}
          onInput={(ev) => edited('name', setName)(ev.currentTarget.value)}
          autoComplete="off"
          required
          {...describedBy('key-name', { hint: true, error: e.name })}
        />
      </Field>
      <Field id="key-description" label="Description" error={e.description}>
        <textarea
          id="key-description"
          rows={2}
          value={description}
          onInput={(ev) => edited('description', setDescription)(ev.currentTarget.value)}
          {...describedBy('key-description', { error: e.description })}
        />
      </Field>
      <ExpirationField
        value={expiration}
        presets={presets}
        onChange={edited('expiration', setExpiration)}
        error={e.expiration}
      />

      <fieldset class={e.kind ? 'field field-invalid' : 'field'}>
        <legend>Kind</legend>
        <div class="choices">
          <Choice
            id="key-kind-service"
            type="radio"
            name="key-kind"
            value="service"
            label="Service key"
            hint={
              mayCreateService
                ? 'Belongs to the organization; gets its group’s rules'
                : 'Needs the keys:manage permission'
            }
            checked={kind === 'service'}
            disabled={!mayCreateService}
            onChange={() => edited('kind', setKind)('service')}
          />
          <Choice
            id="key-kind-personal"
            type="radio"
            name="key-kind"
            value="personal"
            label="Personal key"
            hint="Belongs to a user; gets the user’s permissions"
            checked={kind === 'personal'}
            onChange={() => edited('kind', setKind)('personal')}
          />
        </div>
        {e.kind ? (
          <div class="field-error" role="alert">
            {e.kind}
          </div>
        ) : null}
      </fieldset>

      {kind === 'personal' && mayActForOthers ? (
        <OwnerField value={ownerUserId} onChange={edited('ownerUserId', setOwnerUserId)} error={e.ownerUserId} />
      ) : null}

      <Field
        id="key-group"
        label="Group"
        error={e.groupId}
        hint={
          kind === 'service'
            ? 'The key gets this group’s rules. Without a group it grants nothing (but SCIM, if allowed below).'
            : 'Optional: narrows the key to one group its owner is in.'
        }
      >
        <select
          id="key-group"
          value={groupId}
          onChange={(ev) => edited('groupId', setGroupId)(ev.currentTarget.value)}
          {...describedBy('key-group', { hint: true, error: e.groupId })}
        >
          <option value="">No group</option>
          {groups.map((group) => (
            <option key={group.id} value={group.id}>
              {group.displayName} ({group.source === 'scim' ? 'identity provider' : 'local'})
            </option>
          ))}
        </select>
      </Field>

      <AccessField
        value={access}
        onChange={edited('permissions', setAccess)}
        catalogue={catalogue.permissions}
        error={e.permissions}
      />

      {can('org:admin') ? (
        <div class={e.scim ? 'field field-invalid' : 'field'}>
          <Choice
            id="key-scim"
            type="checkbox"
            label="SCIM provisioning"
            hint="Lets an identity provider (Okta, Entra ID) push users and groups to /scim/v2 with this key."
            checked={scim}
            onChange={edited('scim', setScim)}
          />
          {e.scim ? (
            <div class="field-error" role="alert">
              {e.scim}
            </div>
          ) : null}
        </div>
      ) : null}

      {mayImpersonate ? (
        <div class={e.impersonation ? 'field field-invalid' : 'field'}>
          <Choice
            id="key-impersonation"
            type="checkbox"
            label="Impersonation"
            hint="Lets this key obtain short-lived tokens acting as any active user of the organization (token exchange). Cannot be changed later."
            checked={impersonation}
            onChange={edited('impersonation', setImpersonation)}
          />
          {e.impersonation ? (
            <div class="field-error" role="alert">
              {e.impersonation}
            </div>
          ) : null}
        </div>
      ) : null}

      {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
      <div class="dialog-actions">
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
      </div>
    </form>
  );
}
