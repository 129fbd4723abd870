import { useState } from 'preact/hooks';
import { orgApi, type SignInSettings } from '../api/org-api';
import { messageOf } from '../api/problem';
import type { SsoAttribute, SsoSettings } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { type FormErrors, formErrors, withoutField } from '../lib/field-errors';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

type SsoField = 'issuer' | 'clientId' | 'clientSecret' | 'claim' | 'attribute';
const FIELDS: readonly SsoField[] = ['issuer', 'clientId', 'clientSecret', 'claim', 'attribute'];
const ATTRIBUTES: { value: SsoAttribute; label: string }[] = [
  { value: 'userName', label: 'userName' },
  { value: 'externalId', label: 'externalId' },
  { value: 'emails', label: 'emails (any address)' },
];

interface Draft {
  issuer: string;
  clientId: string;
  clientSecret: string;
  claim: string;
  attribute: SsoAttribute;
}

function draftOf(settings: SsoSettings | null): Draft {
  return {
    issuer: settings?.issuer ?? '',
    clientId: settings?.clientId ?? '',
    clientSecret: '',
    claim: settings?.claim ?? 'preferred_username',
    attribute: settings?.attribute ?? 'userName',
  };
}

/**
 * Sign-in with the organization's OpenID provider. Hidden when this keyscope has no sign-in
 * settings endpoint (or the key may not read them): the rest of the page works without it.
 */
export function SignInSection() {
  const { api } = useSession();
  const [loaded, reload] = useLoad(() => orgApi.signIn(api), []);
  // Kept here: the form starts afresh from what the server answers after each change.
  const [done, setDone] = useState<string | null>(null);
  if (loaded.state === 'loading') return null;
  if (loaded.state === 'error')
    return (
      <section class="panel" aria-labelledby="signin-title">
        <h2 id="signin-title">Sign-in</h2>
        <Notice kind="error">{messageOf(loaded.error)}</Notice>
      </section>
    );
  if (loaded.data.state === 'unavailable') return null;
  return (
    <SignInForm
      key={JSON.stringify(loaded.data)}
      current={loaded.data}
      done={done}
      onEdited={() => setDone(null)}
      onChanged={(message) => {
        setDone(message);
        reload();
      }}
    />
  );
}

function SignInForm({
  current,
  done,
  onEdited,
  onChanged,
}: {
  current: Exclude<SignInSettings, { state: 'unavailable' }>;
  done: string | null;
  onEdited: () => void;
  onChanged: (message: string) => void;
}) {
  const { api } = useSession();
  const settings = current.state === 'on' ? current.settings : null;
  const [draft, setDraft] = useState<Draft>(() => draftOf(settings));
  const [errors, setErrors] = useState<FormErrors<SsoField>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInvalid(errors);

  const edit = (field: SsoField, value: string) => {
    onEdited();
    setErrors(withoutField(errors, field));
    setDraft({ ...draft, [field]: value });
  };

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    onEdited();
    try {
      const message = await work();
      setErrors({ fields: {} });
      onChanged(message);
    } catch (error) {
      setErrors(formErrors<SsoField>(error, (field) => FIELDS.find((f) => f === field)));
    } finally {
      setBusy(false);
    }
  };

  const save = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await orgApi.putSignIn(api, {
        issuer: draft.issuer.trim(),
        clientId: draft.clientId.trim(),
        ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
        claim: draft.claim.trim() || undefined,
        attribute: draft.attribute,
      });
      return 'Sign-in settings saved.';
    });
  };

  return (
    <section class="panel" aria-labelledby="signin-title">
      <h2 id="signin-title">Sign-in</h2>
      <p class="muted">
        {settings
          ? 'People sign in with your identity provider (OpenID Connect). Pasting a key stays possible as the break-glass path.'
          : 'Sign-in with an identity provider is off: people can only paste a key.'}
      </p>
      {settings?.redirectUri ? (
        <p>
          Redirect URI to register in the identity provider: <code class="wrap">{settings.redirectUri}</code>
        </p>
      ) : null}
      <form ref={form} class="form" onSubmit={save} aria-label="Sign-in settings" noValidate>
        <Field id="sso-issuer" label="Issuer URL" error={errors.fields.issuer} required>
          <input
            id="sso-issuer"
            type="url"
            value={draft.issuer}
            placeholder="https://example.okta.com"
            onInput={(e) => edit('issuer', e.currentTarget.value)}
            {...describedBy('sso-issuer', { error: errors.fields.issuer })}
          />
        </Field>
        <Field id="sso-client-id" label="Client id" error={errors.fields.clientId} required>
          <input
            id="sso-client-id"
            value={draft.clientId}
            autoComplete="off"
            onInput={(e) => edit('clientId', e.currentTarget.value)}
            {...describedBy('sso-client-id', { error: errors.fields.clientId })}
          />
        </Field>
        <Field
          id="sso-client-secret"
          label="Client secret"
          hint={settings?.hasClientSecret ? 'A secret is stored. Leave empty to keep it.' : undefined}
          error={errors.fields.clientSecret}
          required={!settings?.hasClientSecret}
        >
          <input
            id="sso-client-secret"
            type="password"
            value={draft.clientSecret}
            autoComplete="new-password"
            onInput={(e) => edit('clientSecret', e.currentTarget.value)}
            {...describedBy('sso-client-secret', {
              hint: !!settings?.hasClientSecret,
              error: errors.fields.clientSecret,
            })}
          />
        </Field>
        <Field
          id="sso-claim"
          label="ID token claim"
          hint="The claim that names the person, e.g. preferred_username, email or upn."
          error={errors.fields.claim}
        >
          <input
            id="sso-claim"
            value={draft.claim}
            onInput={(e) => edit('claim', e.currentTarget.value)}
            {...describedBy('sso-claim', { hint: true, error: errors.fields.claim })}
          />
        </Field>
        <Field
          id="sso-attribute"
          label="Matches the SCIM attribute"
          hint="Compared without regard to case with active provisioned users."
          error={errors.fields.attribute}
        >
          <select
            id="sso-attribute"
            value={draft.attribute}
            onChange={(e) => edit('attribute', e.currentTarget.value)}
            {...describedBy('sso-attribute', { hint: true, error: errors.fields.attribute })}
          >
            {ATTRIBUTES.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </Field>
        {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
        {done ? <Notice kind="success">{done}</Notice> : null}
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save sign-in settings'}
          </button>
          {settings ? (
            <button
              type="button"
              class="button button-danger"
              disabled={busy}
              onClick={() =>
                run(async () => {
                  await orgApi.deleteSignIn(api);
                  return 'Sign-in turned off.';
                })
              }
            >
              Turn off sign-in
            </button>
          ) : null}
        </div>
      </form>
    </section>
  );
}
