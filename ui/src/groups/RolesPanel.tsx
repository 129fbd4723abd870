import { useState } from 'preact/hooks';
import { messageOf } from '../api/problem';
import { rolesApi } from '../api/roles-api';
import type { Role } from '../api/types';
import { Field, describedBy } from '../components/Field';
import { Notice } from '../components/Notice';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { useLoad } from '../lib/use-load';

/**
 * Roles rules may name (issue 13): the built-in ones, read-only, and the organization's own, which an
 * org:admin defines and deletes here (the server refuses a role group rules still name, naming them).
 */
export function RolesPanel() {
  const { api, can } = useSession();
  const [version, setVersion] = useState(0);
  const [loaded] = useLoad(() => rolesApi.list(api), [version]);
  const admin = can('org:admin');
  return (
    <section class="panel roles-panel" aria-labelledby="roles-title">
      <h2 id="roles-title">Roles</h2>
      <p class="muted">
        Named sets of permissions a rule may grant. Under the idpRoles policy, the identity provider may assign them
        too.
      </p>
      {loaded.state === 'loading' ? <p aria-busy="true">Loading roles…</p> : null}
      {loaded.state === 'error' ? <Notice kind="error">{messageOf(loaded.error)}</Notice> : null}
      {loaded.state === 'ready' ? (
        <ul class="plain-list" aria-label="Roles">
          {loaded.data.items.map((role) => (
            <RoleLine key={role.name} role={role} canDelete={admin} onDeleted={() => setVersion((v) => v + 1)} />
          ))}
        </ul>
      ) : null}
      {admin ? <CreateRoleForm onCreated={() => setVersion((v) => v + 1)} /> : null}
    </section>
  );
}

function RoleLine({ role, canDelete, onDeleted }: { role: Role; canDelete: boolean; onDeleted: () => void }) {
  const { api } = useSession();
  const action = useAction();
  return (
    <li data-role={role.name}>
      <code>{role.name}</code> {role.builtin ? <span class="tag">Built-in</span> : null}{' '}
      <span class="muted">{role.permissions.join(', ')}</span>
      {role.description ? <span class="key-description">{role.description}</span> : null}
      {canDelete && !role.builtin ? (
        <button
          type="button"
          class="button button-danger"
          disabled={action.busy}
          onClick={() =>
            action.run(async () => {
              await rolesApi.delete(api, role.name);
              onDeleted();
            })
          }
        >
          Delete {role.name}
        </button>
      ) : null}
      {action.error ? (
        <div class="field-error" role="alert">
          {action.error}
        </div>
      ) : null}
    </li>
  );
}

function CreateRoleForm({ onCreated }: { onCreated: () => void }) {
  const { api } = useSession();
  const [name, setName] = useState('');
  const [permissions, setPermissions] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await rolesApi.create(api, {
        name: name.trim(),
        permissions: permissions
          .split(/[\s,]+/)
          .map((p) => p.trim())
          .filter(Boolean),
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      setName('');
      setPermissions('');
      setDescription('');
      onCreated();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form" onSubmit={submit} aria-labelledby="new-role-title" noValidate>
      <h3 id="new-role-title">Define a role</h3>
      <Field id="role-name" label="Name" hint="Lower-case letters, digits, - and _, e.g. payments-operator." required>
        <input
          id="role-name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          {...describedBy('role-name', { hint: true })}
        />
      </Field>
      <Field
        id="role-permissions"
        label="Permissions"
        hint="Separated by commas or spaces, e.g. keys:read, audit:read."
        required
      >
        <input
          id="role-permissions"
          value={permissions}
          onInput={(e) => setPermissions(e.currentTarget.value)}
          {...describedBy('role-permissions', { hint: true })}
        />
      </Field>
      <Field id="role-description" label="Description">
        <input id="role-description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <button type="submit" class="button button-primary" disabled={busy}>
        Define role
      </button>
    </form>
  );
}
