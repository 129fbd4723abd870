import { useEffect, useState } from 'preact/hooks';
import { keysApi } from '../api/keys-api';
import { messageOf } from '../api/problem';
import type { ApiKey } from '../api/types';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { formatDateTime } from '../lib/format';
import { hrefOf } from '../lib/router';
import { Pager } from '../components/Pager';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';
import { CreateKeyDialog } from './CreateKeyDialog';
import { EditKeyDialog } from './EditKeyDialog';
import { KeyFilters, type KeyFilterValues } from './KeyFilters';
import { KeysTable, type KeyAction } from './KeysTable';
import { RevokeKeyDialog } from './RevokeKeyDialog';
import { RotateKeyDialog } from './RotateKeyDialog';
import { useCursorPages } from '../lib/cursor-pages';
import { useDebounced } from '../lib/use-debounced';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 250;

type OpenDialog = { kind: 'create' } | { kind: KeyAction; key: ApiKey } | null;

export function KeysPage() {
  const { api, can } = useSession();
  const manager = can('keys:manage');
  const [filters, setFilters] = useState<KeyFilterValues>({ search: '', status: '', owner: manager ? 'all' : 'me' });
  const search = useDebounced(filters.search.trim(), SEARCH_DELAY_MS);
  // Cursors of the pages before this one: Previous pops, Next pushes.
  const pages = useCursorPages();
  const cursor = pages.cursor;
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [done, setDone] = useState<string | null>(null);

  useEffect(() => pages.reset(), [search, filters.status, filters.owner]);

  const [page, reload] = useLoad(
    () =>
      keysApi.list(api, {
        q: search,
        status: filters.status || undefined,
        owner: manager ? filters.owner : undefined,
        cursor,
        limit: PAGE_SIZE,
      }),
    [search, filters.status, filters.owner, cursor],
  );

  const open = (next: OpenDialog) => {
    setDone(null);
    setDialog(next);
  };

  const changed = (message: string) => {
    setDone(message);
    reload();
  };

  const filtered = search !== '' || filters.status !== '';
  // Keys that expire within 7 days, whatever the filters: someone should rotate them now.
  const [expiring] = useLoad(
    () => keysApi.list(api, { status: 'expiring_soon', owner: manager ? 'all' : undefined, limit: 10 }),
    [done],
  );
  return (
    <section class="page" aria-labelledby="keys-title">
      <div class="page-head">
        <div>
          <h1 id="keys-title">API Keys</h1>
          <p class="muted">
            Keys authenticate services and scripts. Each key gets the rules of its group, narrowed by its own
            permissions.
          </p>
        </div>
        <button type="button" class="button button-primary" onClick={() => open({ kind: 'create' })}>
          Create API key
        </button>
      </div>
      {expiring.state === 'ready' && expiring.data.items.length ? (
        <section class="expiring-soon" aria-labelledby="expiring-title" data-testid="expiring-soon">
          <h2 id="expiring-title">Expiring soon</h2>
          <ul>
            {expiring.data.items.map((k) => (
              <li key={k.id}>
                <Link href={hrefOf({ page: 'key', id: k.id })}>{k.name}</Link>
                {k.ownerUserName ? ` (${k.ownerUserName})` : ''} expires{' '}
                {k.expiresAt ? formatDateTime(k.expiresAt) : ''}
              </li>
            ))}
          </ul>
          {expiring.data.nextCursor ? <p class="muted">More: filter on the status “expiring soon”.</p> : null}
        </section>
      ) : null}
      <KeyFilters values={filters} onChange={setFilters} showOwnerToggle={manager} />
      {done ? <Notice kind="success">{done}</Notice> : null}
      {page.state === 'error' ? <Notice kind="error">{messageOf(page.error)}</Notice> : null}
      {page.state === 'loading' ? <p aria-busy="true">Loading keys…</p> : null}
      {page.state === 'ready' ? (
        page.data.items.length ? (
          <>
            <KeysTable
              keys={page.data.items}
              showCreator={manager && filters.owner === 'all'}
              onAction={(kind, key) => open({ kind, key })}
            />
            <Pager label="Key pages" {...pages.pager(page.data.nextCursor)} />
          </>
        ) : (
          <p class="empty">
            {filtered ? 'No keys match these filters.' : 'No API keys yet. Create one to get started.'}
          </p>
        )
      ) : null}

      {dialog?.kind === 'create' ? (
        <CreateKeyDialog onClose={() => setDialog(null)} onCreated={(key) => changed(`Created “${key.name}”.`)} />
      ) : null}
      {dialog?.kind === 'edit' ? (
        <EditKeyDialog
          apiKey={dialog.key}
          onClose={() => setDialog(null)}
          onSaved={(key) => {
            setDialog(null);
            changed(`Saved “${key.name}”.`);
          }}
        />
      ) : null}
      {dialog?.kind === 'rotate' ? (
        <RotateKeyDialog
          apiKey={dialog.key}
          onClose={() => setDialog(null)}
          onRotated={(key) => changed(`Rotated “${key.name}”: a new key replaces it.`)}
        />
      ) : null}
      {dialog?.kind === 'revoke' ? (
        <RevokeKeyDialog
          apiKey={dialog.key}
          onClose={() => setDialog(null)}
          onRevoked={(key) => {
            setDialog(null);
            changed(`Revoked “${key.name}”. It stopped working at once.`);
          }}
        />
      ) : null}
    </section>
  );
}
