import { useState } from 'preact/hooks';
import { directoryApi } from '../api/directory-api';
import { messageOf } from '../api/problem';
import type { User } from '../api/types';
import { describedBy, Field } from '../components/Field';
import { useSession } from '../lib/session';
import { useLoad } from '../lib/use-load';

interface OwnerFieldProps {
  value: string;
  onChange: (userId: string) => void;
  error?: string;
}

/** The user a personal key belongs to: a search over the provisioned users and a pick among them. */
export function OwnerField({ value, onChange, error }: OwnerFieldProps) {
  const { api, me } = useSession();
  const [search, setSearch] = useState('');
  const [users] = useLoad(() => directoryApi.users(api, search.trim()), [search]);
  // The chosen user stays in the list when a new search no longer finds it.
  const [picked, setPicked] = useState<User | null>(null);
  const found = users.state === 'ready' ? users.data.items.filter((u) => u.active) : [];
  const options = picked && picked.id === value && !found.some((u) => u.id === picked.id) ? [picked, ...found] : found;
  return (
    <div class="owner-field">
      <div class="field">
        <label for="key-owner-search">Find the owner</label>
        <input
          id="key-owner-search"
          type="search"
          placeholder="User name"
          value={search}
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
      </div>
      <Field id="key-owner" label="Owner" error={users.state === 'error' ? messageOf(users.error) : error} required>
        <select
          id="key-owner"
          value={value}
          onChange={(e) => {
            const id = e.currentTarget.value;
            setPicked(options.find((u) => u.id === id) ?? null);
            onChange(id);
          }}
          {...describedBy('key-owner', { error })}
        >
          <option value="">{me.owner ? `Me (${me.owner.userName})` : 'Choose a user'}</option>
          {options.map((user) => (
            <option key={user.id} value={user.id}>
              {user.displayName ? `${user.displayName} (${user.userName})` : user.userName}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}
