import type { IssuedKey } from '../api/types';
import { TokenReveal } from '../components/TokenReveal';

/** The body of a dialog after create or rotate: the token once, and Done. */
export function IssuedKeyView({ issued, onDone }: { issued: IssuedKey; onDone: () => void }) {
  return (
    <div class="form">
      <TokenReveal token={issued.token} keyName={issued.key.name} />
      <p class="muted">
        Use it as <code>Authorization: Bearer …</code>. The table shows it only by its fragment{' '}
        <code>{issued.key.fragment}</code>.
      </p>
      <div class="dialog-actions">
        <button type="button" class="button button-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
