import type { ApiKey, IssuedKey, KeyQuery, Page } from '../client/index.js';
import {
  type Command,
  collect,
  type Flag,
  type Invocation,
  limitOf,
  PAGING_FLAGS,
  UsageError,
  yesNo,
} from './command.js';
import { type Output, shortDate } from './output.js';

const id = (value: string) => encodeURIComponent(value);

/**
 * A key's status as a person reads it. A key being replaced by a rotation with a grace period keeps
 * working until its `revokedAt`: the status says so, with the successor when it is known.
 */
export function keyStatus(key: ApiKey, successor?: string): string {
  const replaced =
    key.revokedAt !== null && key.status !== 'revoked' && key.status !== 'expired'
      ? `being replaced${successor ? ` by ${successor}` : ''}, stops ${shortDate(key.revokedAt)}`
      : null;
  const notes = [key.statusReason, replaced].filter(Boolean);
  return notes.length ? `${key.status} (${notes.join('; ')})` : key.status;
}

const owner = (key: ApiKey) => key.ownerUserName ?? key.ownerUserId;

/** The keys table of `keys list` and `users keys`. */
export function printKeys(out: Output, page: Page<ApiKey>): void {
  const successors = new Map(page.items.filter((k) => k.rotatedFrom).map((k) => [k.rotatedFrom, k.id]));
  out.print(page, () => ({
    headers: ['ID', 'NAME', 'KIND', 'KEY', 'STATUS', 'SCIM', 'GROUP', 'OWNER', 'LAST USED', 'EXPIRES', 'CREATED BY'],
    rows: page.items.map((k) => [
      k.id,
      k.impersonation ? `${k.name} [impersonator]` : k.name,
      k.kind,
      k.fragment,
      keyStatus(k, successors.get(k.id)),
      yesNo(k.scim),
      k.groupName,
      owner(k),
      shortDate(k.lastUsedAt),
      k.expiresAt ? shortDate(k.expiresAt) : 'never',
      k.createdBy.name,
    ]),
  }));
}

function printKey(out: Output, key: ApiKey & { replacedBy?: { id: string; name: string } | null }): number {
  out.print(key, () => ({
    headers: ['ID', 'NAME', 'KIND', 'KEY', 'STATUS', 'SCIM', 'GROUP', 'OWNER', 'EXPIRES', 'IMPERSONATION'],
    rows: [
      [
        key.id,
        key.name,
        key.kind,
        key.fragment,
        keyStatus(key, key.replacedBy ? `${key.replacedBy.name} (${key.replacedBy.id})` : undefined),
        yesNo(key.scim),
        key.groupName,
        owner(key),
        key.expiresAt ? shortDate(key.expiresAt) : 'never',
        yesNo(key.impersonation),
      ],
    ],
  }));
  return 0;
}

/** A new token: shown once, with the warning on stderr so that `> file` keeps only the key. */
export function printIssued(out: Output, issued: IssuedKey): number {
  if (out.json) {
    out.print(issued);
  } else {
    printKey(out, issued.key);
    out.line('');
    out.line(`  ${issued.token}`);
    out.line('');
    out.warn(
      'This token is shown once and cannot be shown again. Store it now (a secrets manager, not a file in git).',
    );
  }
  return 0;
}

/** Paging through `GET /keys` with the list flags. */
export function listKeys(call: Pick<Invocation, 'api' | 'flags'>, query: KeyQuery) {
  const limit = limitOf(call.flags);
  return collect(
    (cursor) => call.api().listKeys({ ...query, ...(limit ? { limit } : {}), ...(cursor ? { cursor } : {}) }),
    call.flags.has('all'),
  );
}

/** `--status`, of `keys list` and `users keys`. */
export const STATUS_FLAG: Flag = { value: 'S', help: 'active, expiring_soon, expired, revoked or suspended' };

export const keysCommands: Command[] = [
  {
    path: 'keys create',
    summary: 'Create a key and print its token, once.',
    help: 'A service key by default; --kind personal --owner USER_ID for a user. --expiration or --expires-at, not both.',
    flags: {
      name: { value: 'N', help: 'its name', required: true },
      description: { value: 'D', help: 'what it is for' },
      kind: { value: 'service|personal', help: 'a service key (default) or a personal one' },
      group: { value: 'ID', help: 'the group whose rules it gets' },
      owner: { value: 'USER_ID', help: 'the user a personal key belongs to' },
      scim: { help: 'the SCIM flag: the identity provider provisions with it (org:admin)' },
      impersonation: { help: 'may exchange itself for tokens of other users (fixed for life)' },
      permissions: { value: 'a,b', help: 'narrow it to these permissions' },
      expiration: { value: '7d|30d|60d|90d|180d|1y|never', help: 'a lifetime the policy allows' },
      'expires-at': { value: 'DATE', help: 'an exact end (ISO 8601)' },
    },
    example: 'keyscope keys create --name "deploy bot" --group GROUP_ID --expiration 90d',
    async run({ api, out, flags }) {
      const name = flags.string('name')!;
      const permissions = flags.string('permissions');
      const optional = {
        description: flags.string('description'),
        kind: flags.string('kind'),
        groupId: flags.string('group'),
        ownerUserId: flags.string('owner'),
        scim: flags.has('scim') || undefined,
        impersonation: flags.has('impersonation') || undefined,
        permissions: permissions
          ?.split(',')
          .map((p) => p.trim())
          .filter(Boolean),
        expiration: flags.string('expiration'),
        expiresAt: flags.string('expires-at'),
      };
      const body = { name, ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) };
      return printIssued(out, await api().request<IssuedKey>('POST', '/keys', { body }));
    },
  },
  {
    path: 'keys list',
    summary: 'List keys: kind, SCIM flag, owner, and when a key being replaced stops working.',
    flags: {
      status: STATUS_FLAG,
      search: { value: 'TEXT', help: 'in names and descriptions' },
      owner: { value: 'me|all', help: "only this key's own keys, or everyone's (keys:manage)" },
      group: { value: 'ID', help: "only this group's keys" },
      ...PAGING_FLAGS,
    },
    example: 'keyscope keys list --status expiring_soon --all',
    async run(call) {
      const owner = call.flags.string('owner');
      if (owner !== undefined && owner !== 'me' && owner !== 'all')
        throw new UsageError(`--owner takes me or all, got "${owner}"`);
      const page = await listKeys(call, {
        status: call.flags.string('status'),
        q: call.flags.string('search'),
        owner,
        groupId: call.flags.string('group'),
      });
      printKeys(call.out, page);
      return 0;
    },
  },
  {
    path: 'keys get',
    args: ['ID'],
    summary: 'Show one key.',
    example: 'keyscope keys get KEY_ID --json',
    async run({ api, out, args }) {
      return printKey(out, await api().getKey(args[0]!));
    },
  },
  {
    path: 'keys update',
    args: ['ID'],
    summary: "Change a key's name, description or group.",
    flags: {
      name: { value: 'N', help: 'a new name' },
      description: { value: 'D', help: 'a new description' },
      group: { value: 'ID', help: 'another group' },
    },
    example: 'keyscope keys update KEY_ID --name "deploy bot (prod)"',
    async run({ api, out, flags, args }) {
      const body = Object.fromEntries(
        Object.entries({
          name: flags.string('name'),
          description: flags.string('description'),
          groupId: flags.string('group'),
        }).filter(([, v]) => v !== undefined),
      );
      if (!Object.keys(body).length)
        throw new UsageError('keys update needs --name, --description or --group (see keyscope keys update --help)');
      return printKey(out, await api().request<ApiKey>('PATCH', `/keys/${id(args[0]!)}`, { body }));
    },
  },
  {
    path: 'keys revoke',
    args: ['ID?'],
    summary: 'Revoke a key now, or every key of a group (--group) or of a user (--owner).',
    flags: {
      group: { value: 'ID', help: 'revoke every key of this group' },
      owner: { value: 'USER_ID', help: 'revoke every personal key of this user' },
    },
    example: 'keyscope keys revoke KEY_ID',
    async run({ api, out, flags, args }) {
      const group = flags.string('group');
      const owner = flags.string('owner');
      if ([args[0], group, owner].filter(Boolean).length !== 1)
        throw new UsageError(
          'keys revoke takes one of ID, --group ID or --owner USER_ID (see keyscope keys revoke --help)',
        );
      if (!args[0]) {
        const result = await api().request<{ revoked: string[] }>('POST', '/keys/revoke', {
          body: group ? { groupId: group } : { ownerUserId: owner },
        });
        out.print(result, () => ({ headers: ['REVOKED'], rows: result.revoked.map((k) => [k]) }));
        return 0;
      }
      return printKey(out, await api().request<ApiKey>('DELETE', `/keys/${id(args[0])}`));
    },
  },
  {
    path: 'keys restore',
    args: ['ID?'],
    summary:
      "Lift the suspension an identity provider's signal put on a key, or on every key of a user (--owner) (org:admin).",
    help: 'Only idp_signal and idp_logout suspensions are lifted: a revoked or expired key stays so, and owner_inactive stays.',
    flags: { owner: { value: 'USER_ID', help: 'restore every key of this user that a signal suspended' } },
    example: 'keyscope keys restore --owner USER_ID',
    async run({ api, out, flags, args }) {
      const owner = flags.string('owner');
      if ([args[0], owner].filter(Boolean).length !== 1)
        throw new UsageError('keys restore takes one of ID or --owner USER_ID (see keyscope keys restore --help)');
      if (!args[0]) {
        const result = await api().request<{ restored: string[] }>('POST', '/keys/restore', {
          body: { ownerUserId: owner },
        });
        out.print(result, () => ({ headers: ['RESTORED'], rows: result.restored.map((k) => [k]) }));
        return 0;
      }
      return printKey(out, await api().request<ApiKey>('POST', `/keys/${id(args[0])}/restore`));
    },
  },
  {
    path: 'keys rotate',
    args: ['ID'],
    summary: 'Replace a key with a new one (new token, same settings).',
    help: 'With --grace the old key keeps working that long: `keys list` shows it as being replaced, and when it stops.',
    flags: { grace: { value: 'SECONDS', help: 'how long the old key keeps working (default 0: it stops now)' } },
    example: 'keyscope keys rotate KEY_ID --grace 3600',
    async run({ api, out, flags, args }) {
      const text = flags.string('grace');
      if (text !== undefined && !/^\d+$/.test(text))
        throw new UsageError(`--grace takes a whole number of seconds, got "${text}"`);
      return printIssued(
        out,
        await api().request<IssuedKey>('POST', `/keys/${id(args[0]!)}/rotate`, {
          body: text !== undefined ? { gracePeriodSeconds: Number(text) } : {},
        }),
      );
    },
  },
];
