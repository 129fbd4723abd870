import { useState } from 'preact/hooks';
import { fetchMe } from '../api/client';
import type { Me } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useAction } from '../lib/use-action';

interface SignInProps {
  onSignedIn: (token: string, me: Me) => void;
  /** Why the last session ended, when the server ended it. */
  notice: string | null;
}

export function SignInPage({ onSignedIn, notice }: SignInProps) {
  const [token, setToken] = useState('');
  const { busy, error, setError, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste an API key');
      return;
    }
    await run(async () => onSignedIn(value, await fetchMe(value)));
  };

  return (
    <main class="signin" id="main">
      <div class="signin-card">
        <h1 class="brand-title">keyscope</h1>
        <p class="muted">Sign in with an API key to manage your organization’s keys and groups.</p>
        {notice ? <Notice kind="info">{notice}</Notice> : null}
        <form onSubmit={submit} noValidate>
          <Field
            id="signin-key"
            label="API key"
            error={error}
            hint="Kept in this browser tab only, and forgotten when you sign out or close the tab."
          >
            <input
              id="signin-key"
              type="password"
              value={token}
              onInput={(e) => setToken(e.currentTarget.value)}
              autoComplete="off"
              spellcheck={false}
              placeholder="ksk_…"
              {...describedBy('signin-key', { hint: true, error })}
            />
          </Field>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
