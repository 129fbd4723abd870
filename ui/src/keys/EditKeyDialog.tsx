import { useState } from 'preact/hooks';
import { keysApi } from '../api/keys-api';
import type { ApiKey } from '../api/types';
import { Dialog } from '../components/Dialog';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { formErrors, type FormErrors } from '../lib/field-errors';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession } from '../lib/session';

type FormField = 'name' | 'description';

interface EditKeyDialogProps {
  apiKey: ApiKey;
  onClose: () => void;
  onSaved: (key: ApiKey) => void;
}

/** Name and description are all that change; the token, expiry and creator never do. */
export function EditKeyDialog({ apiKey, onClose, onSaved }: EditKeyDialogProps) {
  const { api } = useSession();
  const [name, setName] = useState(apiKey.name);
  const [description, setDescription] = useState(apiKey.description);
  const [errors, setErrors] = useState<FormErrors<FormField>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const formRef = useFocusFirstInvalid(errors);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!name.trim()) {
      setErrors({ fields: { name: 'Give the key a name' } });
      return;
    }
    setBusy(true);
    try {
      onSaved(await keysApi.update(api, apiKey.id, { name, description }));
    } catch (error) {
      setErrors(formErrors(error, (field) => (field === 'name' || field === 'description' ? field : undefined)));
      setBusy(false);
    }
  };

  const e = errors.fields;
  return (
    <Dialog title="Edit API key" onClose={onClose}>
      <form ref={formRef} onSubmit={submit} noValidate class="form">
        <Field id="edit-name" label="Name" required error={e.name}>
          <input
            id="edit-name"
            autofocus
            type="text"
            value={name}
            onInput={(ev) => setName(ev.currentTarget.value)}
            autoComplete="off"
            {...describedBy('edit-name', { error: e.name })}
          />
        </Field>
        <Field id="edit-description" label="Description" error={e.description}>
          <textarea
            id="edit-description"
            rows={3}
            value={description}
            onInput={(ev) => setDescription(ev.currentTarget.value)}
            {...describedBy('edit-description', { error: e.description })}
          />
        </Field>
        {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
