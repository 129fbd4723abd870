import { useState } from 'preact/hooks';
import { keysApi } from '../api/keys-api';
import type { ApiKey, IssuedKey } from '../api/types';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useSession } from '../lib/session';
import { useAction } from '../lib/use-action';
import { IssuedKeyView } from './IssuedKeyView';

const GRACE_PERIODS: { seconds: number; label: string }[] = [
  { seconds: 0, label: 'Immediately' },
  { seconds: 3600, label: 'After 1 hour' },
  { seconds: 24 * 3600, label: 'After 24 hours' },
  { seconds: 7 * 24 * 3600, label: 'After 7 days' },
];

interface RotateKeyDialogProps {
  apiKey: ApiKey;
  onClose: () => void;
  onRotated: (key: ApiKey) => void;
}

/** A new key with the same settings; the old one stops now or after a grace period. */
export function RotateKeyDialog({ apiKey, onClose, onRotated }: RotateKeyDialogProps) {
  const { api } = useSession();
  const [grace, setGrace] = useState(0);
  const [issued, setIssued] = useState<IssuedKey | null>(null);
  const { busy, error, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () => {
      const result = await keysApi.rotate(api, apiKey.id, grace ? { gracePeriodSeconds: grace } : {});
      setIssued(result);
      onRotated(result.key);
    });
  };

  return (
    <Dialog title={issued ? 'API key rotated' : 'Rotate API key'} onClose={onClose}>
      {issued ? (
        <IssuedKeyView issued={issued} onDone={onClose} />
      ) : (
        <form onSubmit={submit} class="form">
          <p>
            Rotating “<strong>{apiKey.name}</strong>” issues a new key with the same name, group, permissions and
            lifetime. Put the new key where the old one is used.
          </p>
          <Field id="rotate-grace" label="The old key stops working">
            <select id="rotate-grace" autofocus value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
              {GRACE_PERIODS.map((g) => (
                <option key={g.seconds} value={g.seconds}>
                  {g.label}
                </option>
              ))}
            </select>
          </Field>
          {error ? <Notice kind="error">{error}</Notice> : null}
          <div class="dialog-actions">
            <button type="button" class="button" onClick={onClose}>
              Cancel
            </button>
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? 'Rotating…' : 'Rotate key'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
