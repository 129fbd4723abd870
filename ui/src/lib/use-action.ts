import { useState } from 'preact/hooks';
import { messageOf } from '../api/problem';

/**
 * A form's one server call: busy while it runs, and the server's message when it fails (then the
 * form may be sent again). On success the caller moves on, so busy stays set.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
