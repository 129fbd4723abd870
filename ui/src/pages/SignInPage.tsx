import { useEffect, useState } from 'preact/hooks';
import { fetchMe, fetchSignInOffer, type SignInOffer } from '../api/client';
import type { Me } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { useAction } from '../lib/use-action';

interface SignInProps {
  onSignedIn: (token: string, me: Me) => void;
  /** Why the last session ended, when the server ended it. */
  notice: string | null;
  /** After signing out of a session: the identity provider's own sign-out, when it has one. */
  endSessionUrl?: string | null;
}

/** The organization people sign in to: `/ui/?org=<id or name>`, else `default`. */
function organizationOfLink(): string {
  return new URLSearchParams(window.location.search).get('org') ?? 'default';
}

export function SignInPage({ onSignedIn, notice, endSessionUrl }: SignInProps) {
  const [token, setToken] = useState('');
  const { busy, error, setError, run } = useAction();
  const [offer, setOffer] = useState<SignInOffer>({ enabled: false });
  useEffect(() => {
    fetchSignInOffer(organizationOfLink())
      .then(setOffer)
      .catch(() => setOffer({ enabled: false }));
  }, []);

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
        <p class="muted">Sign in to manage your organization’s keys and groups.</p>
        {notice ? <Notice kind="info">{notice}</Notice> : null}
        {endSessionUrl ? (
          <p>
            <a href={endSessionUrl}>Also sign out of your identity provider</a>
          </p>
        ) : null}
        {offer.enabled && offer.loginUrl ? (
          <div class="signin-idp">
            <a class="button button-primary" href={`${offer.loginUrl}&returnTo=${encodeURIComponent('/ui/')}`}>
              Sign in with your identity provider
            </a>
            <p class="muted">Or, as the break-glass path, paste an API key:</p>
          </div>
        ) : null}
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
