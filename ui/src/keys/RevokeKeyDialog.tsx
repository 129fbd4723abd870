import { useState } from 'preact/hooks';
import { keysApi } from '../api/keys-api';
import type { ApiKey } from '../api/types';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';

interface RevokeKeyDialogProps {
  apiKey: ApiKey;
  onClose: () => void;
  onRevoked: (key: ApiKey) => void;
}

/** Revoke access? Typing the key's name is the confirmation (WisdomAI). */
export function RevokeKeyDialog({ apiKey, onClose, onRevoked }: RevokeKeyDialogProps) {
  const { api } = useSession();
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  const confirmed = typed === apiKey.name;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!confirmed) return;
    await run(async () => onRevoked(await keysApi.revoke(api, apiKey.id)));
  };

  return (
    <Dialog title="Revoke access?" onClose={onClose}>
      <form onSubmit={submit} class="form">
        <p>
          Anything using “<strong>{apiKey.name}</strong>” (<code>{apiKey.fragment}</code>) loses access immediately.
          This cannot be undone.
        </p>
        <Field id="revoke-confirm" label={`Type “${apiKey.name}” to confirm`}>
          <input
            id="revoke-confirm"
            autofocus
            type="text"
            value={typed}
            onInput={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            spellcheck={false}
          />
        </Field>
        {error ? <Notice kind="error">{error}</Notice> : null}
        <div class="dialog-actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-danger" disabled={!confirmed || busy}>
            {busy ? 'Revoking…' : 'Revoke'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
