import { useState } from 'preact/hooks';
import { orgApi } from '../api/org-api';
import { messageOf } from '../api/problem';
import type { OnSignal, SignalKeySource, SignalSettings } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { Notice } from '../components/Notice';
import { type FormErrors, formErrors } from '../lib/field-errors';
import { useFocusFirstInvalid } from '../lib/focus-invalid';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

/** One issuer being edited: its JWKS URL, or keys given inline (kept while the URL stays empty). */
interface SourceDraft {
  issuer: string;
  jwksUri: string;
  jwks?: SignalKeySource['jwks'];
}

const draftOf = (s: SignalKeySource | null): SourceDraft => ({
  issuer: s?.issuer ?? '',
  jwksUri: s?.jwksUri ?? '',
  ...(s?.jwks ? { jwks: s.jwks } : {}),
});

function sourceOf(d: SourceDraft): SignalKeySource {
  const issuer = d.issuer.trim();
  const uri = d.jwksUri.trim();
  if (uri || !d.jwks) return { issuer, jwksUri: uri };
  return { issuer, jwks: d.jwks };
}

/** The server's field (`transmitters.1.jwksUri`, `universalLogout`) → this form's control id. */
function fieldOf(server: string): string | undefined {
  const tx = /^transmitters\.(\d+)(?:\.(issuer|jwksUri|jwks))?/.exec(server);
  if (tx) return `tx-${tx[1]}-${tx[2] === 'issuer' ? 'issuer' : 'jwks'}`;
  if (server.startsWith('universalLogout')) return server === 'universalLogout.issuer' ? 'ul-issuer' : 'ul-jwks';
  if (server === 'onSignal') return 'on-signal';
  return undefined;
}

/**
 * Signals in (issue 14): who may tell keyscope to stop a person at once (Shared Signals transmitters,
 * Okta Universal Logout) and what that does. org:admin only; hidden for anyone else.
 */
export function SignalsSection({ orgId }: { orgId: string }) {
  const { api } = useSession();
  const [loaded, reload] = useLoad(() => orgApi.signals(api), []);
  const [done, setDone] = useState<string | null>(null);
  if (loaded.state === 'loading') return null;
  if (loaded.state === 'error')
    return (
      <section class="panel" aria-labelledby="signals-title">
        <h2 id="signals-title">Signals</h2>
        <Notice kind="error">{messageOf(loaded.error)}</Notice>
      </section>
    );
  return (
    <SignalsForm
      key={JSON.stringify(loaded.data)}
      orgId={orgId}
      current={loaded.data}
      done={done}
      onEdited={() => setDone(null)}
      onSaved={() => {
        setDone('Signal settings saved.');
        reload();
      }}
    />
  );
}

function SignalsForm({
  orgId,
  current,
  done,
  onEdited,
  onSaved,
}: {
  orgId: string;
  current: SignalSettings;
  done: string | null;
  onEdited: () => void;
  onSaved: () => void;
}) {
  const { api } = useSession();
  const [transmitters, setTransmitters] = useState<SourceDraft[]>(() => current.transmitters.map(draftOf));
  const [logout, setLogout] = useState<SourceDraft>(() => draftOf(current.universalLogout));
  const [onSignal, setOnSignal] = useState<OnSignal>(current.onSignal);
  const [errors, setErrors] = useState<FormErrors<string>>({ fields: {} });
  const [busy, setBusy] = useState(false);
  const form = useFocusFirstInvalid(errors);

  const edited = () => {
    onEdited();
    setErrors({ fields: {} });
  };
  const editTransmitter = (i: number, change: Partial<SourceDraft>) => {
    edited();
    setTransmitters(transmitters.map((t, j) => (j === i ? { ...t, ...change } : t)));
  };

  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    onEdited();
    try {
      await orgApi.putSignals(api, {
        transmitters: transmitters.map(sourceOf),
        universalLogout: logout.issuer.trim() || logout.jwksUri.trim() ? sourceOf(logout) : null,
        onSignal,
      });
      setErrors({ fields: {} });
      onSaved();
    } catch (error) {
      setErrors(formErrors<string>(error, fieldOf));
    } finally {
      setBusy(false);
    }
  };

  const keysHint = (d: SourceDraft, id: string) =>
    d.jwks && !d.jwksUri ? (
      <span id={`${id}-hint`}>Keys given inline ({d.jwks.keys.length}) are kept while this stays empty.</span>
    ) : undefined;

  return (
    <section class="panel" aria-labelledby="signals-title">
      <h2 id="signals-title">Signals</h2>
      <p class="muted">
        Identity providers can stop a person at once: their sign-in sessions end and their personal keys are suspended
        on every process (docs/signals.md tells how to set them up).
      </p>
      <p>
        Universal Logout endpoint: <code class="wrap">{`${location.origin}/api/v1/global-token-revocation`}</code>
        <br />
        Shared Signals push endpoint: <code class="wrap">{`${location.origin}/ssf/events/${orgId}`}</code>
      </p>
      <form ref={form} class="form" onSubmit={save} aria-label="Signal settings" noValidate>
        <Field
          id="on-signal"
          label="When a signal arrives"
          hint="Restoring is exact: an enabling signal or an admin lifts only what signals suspended."
          error={errors.fields['on-signal']}
        >
          <select
            id="on-signal"
            value={onSignal}
            onChange={(e) => {
              edited();
              setOnSignal(e.currentTarget.value as OnSignal);
            }}
            {...describedBy('on-signal', { hint: true, error: errors.fields['on-signal'] })}
          >
            <option value="suspend_keys">End sessions and suspend personal keys</option>
            <option value="end_sessions">End sessions only</option>
          </select>
        </Field>

        <fieldset class="signal-source">
          <legend>Okta Universal Logout</legend>
          <Field
            id="ul-issuer"
            label="Issuer (your Okta org URL)"
            hint="Leave empty to turn Universal Logout off."
            error={errors.fields['ul-issuer']}
          >
            <input
              id="ul-issuer"
              value={logout.issuer}
              placeholder="https://example.okta.com"
              onInput={(e) => {
                edited();
                setLogout({ ...logout, issuer: e.currentTarget.value });
              }}
              {...describedBy('ul-issuer', { hint: true, error: errors.fields['ul-issuer'] })}
            />
          </Field>
          <Field id="ul-jwks" label="JWKS URL" hint={keysHint(logout, 'ul-jwks')} error={errors.fields['ul-jwks']}>
            <input
              id="ul-jwks"
              type="url"
              value={logout.jwksUri}
              placeholder="https://example.okta.com/oauth2/v1/keys"
              onInput={(e) => {
                edited();
                setLogout({ ...logout, jwksUri: e.currentTarget.value });
              }}
              {...describedBy('ul-jwks', { hint: !!keysHint(logout, 'ul-jwks'), error: errors.fields['ul-jwks'] })}
            />
          </Field>
        </fieldset>

        <fieldset class="signal-source">
          <legend>Shared Signals transmitters</legend>
          {transmitters.length === 0 ? <p class="muted">No transmitter: Shared Signals are refused.</p> : null}
          {transmitters.map((t, i) => (
            <div class="signal-transmitter" key={i}>
              <Field
                id={`tx-${i}-issuer`}
                label={`Transmitter ${i + 1} issuer`}
                error={errors.fields[`tx-${i}-issuer`]}
              >
                <input
                  id={`tx-${i}-issuer`}
                  value={t.issuer}
                  onInput={(e) => editTransmitter(i, { issuer: e.currentTarget.value })}
                  {...describedBy(`tx-${i}-issuer`, { error: errors.fields[`tx-${i}-issuer`] })}
                />
              </Field>
              <Field
                id={`tx-${i}-jwks`}
                label={`Transmitter ${i + 1} JWKS URL`}
                hint={keysHint(t, `tx-${i}-jwks`)}
                error={errors.fields[`tx-${i}-jwks`]}
              >
                <input
                  id={`tx-${i}-jwks`}
                  type="url"
                  value={t.jwksUri}
                  onInput={(e) => editTransmitter(i, { jwksUri: e.currentTarget.value })}
                  {...describedBy(`tx-${i}-jwks`, {
                    hint: !!keysHint(t, `tx-${i}-jwks`),
                    error: errors.fields[`tx-${i}-jwks`],
                  })}
                />
              </Field>
              <button
                type="button"
                class="button"
                onClick={() => {
                  edited();
                  setTransmitters(transmitters.filter((_, j) => j !== i));
                }}
              >
                Remove transmitter {i + 1}
              </button>
            </div>
          ))}
          <button
            type="button"
            class="button"
            onClick={() => {
              edited();
              setTransmitters([...transmitters, { issuer: '', jwksUri: '' }]);
            }}
          >
            Add a transmitter
          </button>
        </fieldset>

        {errors.general ? <Notice kind="error">{errors.general}</Notice> : null}
        {done ? <Notice kind="success">{done}</Notice> : null}
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save signal settings'}
          </button>
        </div>
      </form>
    </section>
  );
}
