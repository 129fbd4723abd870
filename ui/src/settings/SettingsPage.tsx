import { orgApi } from '../api/org-api';
import { messageOf } from '../api/problem';
import { Notice } from '../components/Notice';
import { formatDate } from '../lib/format';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { PolicyForm } from './PolicyForm';
import { SignalsSection } from './SignalsSection';
import { SignInSection } from './SignInSection';

/** The organization: its key policy, self-service keys, sign-in with the identity provider, and signals. */
export function SettingsPage() {
  const { api, can } = useSession();
  const [loaded] = useLoad(() => orgApi.get(api), []);
  return (
    <section class="page" aria-labelledby="settings-title">
      <div class="page-head">
        <div>
          <h1 id="settings-title">Organization settings</h1>
          {loaded.state === 'ready' ? (
            <p class="muted">
              {loaded.data.name} · <code class="wrap">{loaded.data.id}</code>
              {loaded.data.createdAt ? ` · created ${formatDate(loaded.data.createdAt)}` : ''}
            </p>
          ) : null}
        </div>
      </div>
      {loaded.state === 'loading' ? <p aria-busy="true">Loading settings…</p> : null}
      {loaded.state === 'error' ? <Notice kind="error">{messageOf(loaded.error)}</Notice> : null}
      {loaded.state === 'ready' ? (
        <div class="group-grid">
          <section class="panel" aria-labelledby="policy-title">
            <h2 id="policy-title">Key policy</h2>
            <PolicyForm organization={loaded.data} />
          </section>
          {can('org:admin') ? <SignInSection /> : null}
          {can('org:admin') ? <SignalsSection orgId={loaded.data.id} /> : null}
        </div>
      ) : null}
    </section>
  );
}
