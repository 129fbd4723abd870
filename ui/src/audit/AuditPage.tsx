import { useEffect, useState } from 'preact/hooks';
import { type AuditFilter, peopleApi } from '../api/people-api';
import type { AuditEvent } from '../api/types';
import { describedBy } from '../components/Field';
import { Link } from '../components/Link';
import { Notice } from '../components/Notice';
import { Pager } from '../components/Pager';
import { useCursorPages } from '../lib/cursor-pages';
import { formErrors } from '../lib/field-errors';
import { formatDateTime } from '../lib/format';
import { hrefOf, type Route } from '../lib/router';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

const PAGE_SIZE = 50;

interface Draft {
  action: string;
  actor: string;
  target: string;
  /** datetime-local values, in the browser's time zone. */
  since: string;
  until: string;
}

type FilterField = keyof Draft;
const EMPTY: Draft = { action: '', actor: '', target: '', since: '', until: '' };
const FIELDS: FilterField[] = ['action', 'actor', 'target', 'since', 'until'];

/** A datetime-local value as the API's ISO 8601 instant; undefined when empty or not a date. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toFilter(draft: Draft): AuditFilter {
  return {
    action: draft.action.trim() || undefined,
    actor: draft.actor.trim() || undefined,
    target: draft.target.trim() || undefined,
    since: instant(draft.since),
    until: instant(draft.until),
  };
}

/** What happened in the organization, newest first: who did what to which key, group or user. */
export function AuditPage() {
  const { api } = useSession();
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [applied, setApplied] = useState<AuditFilter>({});
  const pages = useCursorPages();
  const cursor = pages.cursor;
  useEffect(() => pages.reset(), [applied]);
  const [page] = useLoad(() => peopleApi.audit(api, { ...applied, cursor, limit: PAGE_SIZE }), [applied, cursor]);

  const apply = (next: Draft) => {
    setDraft(next);
    setApplied(toFilter(next));
  };
  const errors =
    page.state === 'error'
      ? formErrors<FilterField>(page.error, (field) => FIELDS.find((f) => f === field))
      : { fields: {} as Partial<Record<FilterField, string>> };
  const filtered = Object.values(applied).some((v) => v !== undefined);

  const input = (field: FilterField, label: string, props: Record<string, string>) => (
    <div class={errors.fields[field] ? 'filter field-invalid' : 'filter'}>
      <label for={`audit-${field}`}>{label}</label>
      <input
        id={`audit-${field}`}
        name={field}
        value={draft[field]}
        onInput={(e) => setDraft({ ...draft, [field]: e.currentTarget.value })}
        {...props}
        {...describedBy(`audit-${field}`, { error: errors.fields[field] })}
      />
      {errors.fields[field] ? (
        <div class="field-error" id={`audit-${field}-error`}>
          {errors.fields[field]}
        </div>
      ) : null}
    </div>
  );

  return (
    <section class="page" aria-labelledby="audit-title">
      <div class="page-head">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p class="muted">Every change to keys, groups, users and settings, with who made it. Newest first.</p>
        </div>
      </div>
      <search>
        <form
          class="filters audit-filters"
          aria-label="Audit filters"
          onSubmit={(e) => {
            e.preventDefault();
            apply(draft);
          }}
        >
          {input('action', 'Action', { type: 'text', placeholder: 'key.create, or key.* for all' })}
          {input('actor', 'Actor', { type: 'text', placeholder: 'key:<id>, user:<id>…' })}
          {input('target', 'Target', { type: 'text', placeholder: 'key:<id>, group:<id>…' })}
          {input('since', 'From', { type: 'datetime-local' })}
          {input('until', 'Until', { type: 'datetime-local' })}
          <div class="filter-buttons">
            <button type="submit" class="button button-primary">
              Apply filters
            </button>
            <button type="button" class="button" disabled={!filtered && draft === EMPTY} onClick={() => apply(EMPTY)}>
              Clear
            </button>
          </div>
        </form>
      </search>
      {page.state === 'error' ? (
        <Notice kind="error">{errors.general ?? 'Check the filters marked above.'}</Notice>
      ) : null}
      {page.state === 'loading' ? <p aria-busy="true">Loading events…</p> : null}
      {page.state === 'ready' ? (
        page.data.items.length ? (
          <>
            <AuditTable events={page.data.items} onFilter={(field, value) => apply({ ...draft, [field]: value })} />
            <Pager label="Audit log pages" {...pages.pager(page.data.nextCursor)} />
          </>
        ) : (
          <p class="empty">{filtered ? 'No events match these filters.' : 'Nothing recorded yet.'}</p>
        )
      ) : null}
    </section>
  );
}

/** The page of a target such as `key:<id>`, when the admin page has one. */
function routeOf(target: string): Route | null {
  const [kind, id] = target.split(':', 2);
  if (!id) return null;
  if (kind === 'key') return { page: 'key', id };
  if (kind === 'group') return { page: 'group', id };
  if (kind === 'user') return { page: 'user', id };
  return null;
}

function detailsText(details: Record<string, unknown>): string {
  const entries = Object.entries(details);
  if (!entries.length) return '';
  return entries
    .map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

function AuditTable({
  events,
  onFilter,
}: {
  events: AuditEvent[];
  onFilter: (field: 'actor' | 'action' | 'target', value: string) => void;
}) {
  return (
    <table class="table audit-table">
      <caption class="visually-hidden">Audit events</caption>
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Action</th>
          <th scope="col">Actor</th>
          <th scope="col">Target</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => {
          const target = event.target ? routeOf(event.target) : null;
          const details = detailsText(event.details);
          return (
            <tr key={event.id} data-event-id={event.id}>
              <th scope="row" data-label="When">
                <time dateTime={event.at}>{formatDateTime(event.at)}</time>
              </th>
              <td data-label="Action">
                <button
                  type="button"
                  class="link-button"
                  title="Show only this action"
                  onClick={() => onFilter('action', event.action)}
                >
                  <code>{event.action}</code>
                </button>
              </td>
              <td data-label="Actor">
                <button
                  type="button"
                  class="link-button"
                  title={`Show only what ${event.actor.name} did`}
                  onClick={() => onFilter('actor', event.actor.id)}
                >
                  {event.actor.name}
                </button>
              </td>
              <td data-label="Target">
                {event.target ? (
                  target ? (
                    <Link href={hrefOf(target)} class="wrap">
                      {event.target}
                    </Link>
                  ) : (
                    <code class="wrap">{event.target}</code>
                  )
                ) : (
                  <span class="muted">None</span>
                )}
              </td>
              <td data-label="Details">{details ? <span class="wrap audit-details">{details}</span> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
