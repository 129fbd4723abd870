import { useEffect, useState } from 'preact/hooks';
import { ApiClient, endSession, fetchMe, fetchSessionMe } from './api/client';
import { ApiError, messageOf } from './api/problem';
import type { Me } from './api/types';
import { Header } from './components/Header';
import { GroupPage } from './groups/GroupPage';
import { GroupsPage } from './groups/GroupsPage';
import { AuditPage } from './audit/AuditPage';
import { KeyPage } from './keys/KeyPage';
import { KeysPage } from './keys/KeysPage';
import { useRoute } from './lib/router';
import { SessionContext, type Session } from './lib/session';
import { sessionKey } from './lib/session-key';
import { NotFoundPage } from './pages/NotFoundPage';
import { SignInPage } from './pages/SignInPage';
import { SettingsPage } from './settings/SettingsPage';
import { UserPage } from './users/UserPage';
import { UsersPage } from './users/UsersPage';
import { WebhooksPage } from './webhooks/WebhooksPage';

type State =
  | { phase: 'checking'; token: string }
  | { phase: 'checking-session' }
  | { phase: 'signed-out'; notice: string | null; endSessionUrl?: string | null }
  | { phase: 'signed-in'; session: Session };

function initialState(): State {
  const token = sessionKey.read();
  // Without a pasted key, the browser may hold a sign-in session (an HttpOnly cookie the page cannot see).
  return token ? { phase: 'checking', token } : { phase: 'checking-session' };
}

export function App() {
  const [state, setState] = useState<State>(initialState);

  const signOut = (notice: string | null = null) => {
    sessionKey.forget();
    setState({ phase: 'signed-out', notice });
  };

  const signIn = (token: string, me: Me) => {
    sessionKey.keep(token);
    setState({
      phase: 'signed-in',
      session: {
        // A key revoked or expired while the page is open signs the page out at its next request.
        api: new ApiClient(token, (error) => signOut(`Signed out: ${error.detail}`)),
        me,
        can: (permission) => me.can[permission] === true,
        signOut: () => signOut(),
      },
    });
  };

  /** A person signed in with their identity provider: the cookie, and the CSRF token for writes. */
  const signInWithSession = (me: Me) => {
    const csrfToken = me.csrfToken ?? '';
    setState({
      phase: 'signed-in',
      session: {
        api: new ApiClient({ csrfToken }, (error) =>
          setState({ phase: 'signed-out', notice: `Signed out: ${error.detail}` }),
        ),
        me,
        can: (permission) => me.can[permission] === true,
        signOut: () => {
          void endSession(csrfToken).then(({ endSessionUrl }) =>
            setState({ phase: 'signed-out', notice: 'Signed out.', endSessionUrl }),
          );
        },
      },
    });
  };

  useEffect(() => {
    if (state.phase !== 'checking-session') return;
    fetchSessionMe()
      .then((me) => (me ? signInWithSession(me) : setState({ phase: 'signed-out', notice: null })))
      .catch(() => setState({ phase: 'signed-out', notice: null }));
  }, [state]);

  // A reload keeps the tab's key: ask the server again who it is.
  useEffect(() => {
    if (state.phase !== 'checking') return;
    fetchMe(state.token)
      .then((me) => signIn(state.token, me))
      .catch((error: unknown) =>
        signOut(error instanceof ApiError && error.status === 401 ? `Signed out: ${error.detail}` : messageOf(error)),
      );
  }, [state]);

  switch (state.phase) {
    case 'checking':
    case 'checking-session':
      return (
        <main id="main" class="loading" aria-busy="true">
          Signing in…
        </main>
      );
    case 'signed-out':
      return <SignInPage notice={state.notice} endSessionUrl={state.endSessionUrl ?? null} onSignedIn={signIn} />;
    case 'signed-in':
      return (
        <SessionContext.Provider value={state.session}>
          <Pages />
        </SessionContext.Provider>
      );
  }
}

function Pages() {
  const route = useRoute();
  return (
    <>
      <Header route={route} />
      <main id="main" class="main" tabIndex={-1}>
        {route.page === 'keys' ? <KeysPage /> : null}
        {route.page === 'groups' ? <GroupsPage /> : null}
        {route.page === 'group' ? <GroupPage key={route.id} id={route.id} /> : null}
        {route.page === 'key' ? <KeyPage key={route.id} id={route.id} /> : null}
        {route.page === 'users' ? <UsersPage /> : null}
        {route.page === 'user' ? <UserPage key={route.id} id={route.id} /> : null}
        {route.page === 'audit' ? <AuditPage /> : null}
        {route.page === 'settings' ? <SettingsPage /> : null}
        {route.page === 'webhooks' ? <WebhooksPage /> : null}
        {route.page === 'not-found' ? <NotFoundPage /> : null}
      </main>
    </>
  );
}
