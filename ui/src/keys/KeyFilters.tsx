import type { KeyStatus } from '../api/types';
import { STATUS_OPTIONS } from '../components/StatusBadge';

export interface KeyFilterValues {
  search: string;
  status: KeyStatus | '';
  owner: 'me' | 'all';
}

interface KeyFiltersProps {
  values: KeyFilterValues;
  onChange: (values: KeyFilterValues) => void;
  /** Keys with keys:manage may see everyone's keys. */
  showOwnerToggle: boolean;
}

function isStatus(value: string): value is KeyStatus {
  return STATUS_OPTIONS.some((option) => option.value === value);
}

/** Search, status filter and the My keys / All keys toggle above the table. */
export function KeyFilters({ values, onChange, showOwnerToggle }: KeyFiltersProps) {
  return (
    <search class="filters">
      <div class="filter filter-search">
        <label for="key-search">Search</label>
        <input
          id="key-search"
          type="search"
          placeholder="Name, description or key fragment"
          value={values.search}
          onInput={(e) => onChange({ ...values, search: e.currentTarget.value })}
        />
      </div>
      <div class="filter">
        <label for="key-status">Status</label>
        <select
          id="key-status"
          value={values.status}
          onChange={(e) => {
            const value = e.currentTarget.value;
            onChange({ ...values, status: isStatus(value) ? value : '' });
          }}
        >
          <option value="">All statuses</option>
          {STATUS_OPTIONS.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      {showOwnerToggle ? (
        <fieldset class="filter segmented">
          <legend>Show</legend>
          {(['me', 'all'] as const).map((owner) => (
            <label key={owner} class={values.owner === owner ? 'segment segment-on' : 'segment'}>
              <input
                type="radio"
                name="key-owner"
                value={owner}
                checked={values.owner === owner}
                onChange={() => onChange({ ...values, owner })}
              />
              {owner === 'me' ? 'My keys' : 'All keys'}
            </label>
          ))}
        </fieldset>
      ) : null}
    </search>
  );
}
