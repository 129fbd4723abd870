#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type AuthorizeDecision, type Introspection, KeyscopeClient, KeyscopeError } from '../client/index.js';
import { output, shortDate, type Output } from './output.js';

const HELP = `keyscope: manage API keys, groups and organizations through the keyscope admin API.

Environment:
  KEYSCOPE_URL        the server (default http://localhost:3000)
  KEYSCOPE_API_KEY    the key to act with (never given as an argument, so it stays out of shell history)

Commands:
  keys create --name N [--description D] [--kind service|personal] [--group ID] [--owner USER_ID]
              [--scim] [--impersonation] [--permissions a,b] [--expiration 7d|30d|60d|90d|180d|1y|never | --expires-at DATE]
  keys list [--status S] [--search TEXT] [--owner me|all] [--group ID] [--limit N] [--all]
  keys get ID
  keys update ID [--name N] [--description D] [--group ID]
  keys revoke ID | keys revoke --group ID | keys revoke --owner USER_ID
  keys rotate ID [--grace SECONDS]
  groups list [--search TEXT]
  groups get ID
  groups rules set ID [--permission P[@res1,res2]]... [--role R[@res1,res2]]...   (no rule flags: clear the rules)
  orgs create NAME
  audit [--action A] [--actor A] [--target T] [--limit N]
  whoami
  authorize PERMISSION [--resource R]   may KEYSCOPE_API_KEY do this? exit 0 allowed, 3 denied
  introspect   what the token on standard input is (needs keys:introspect); exit 0 active, 3 not:
               printf %s "$TOKEN" | keyscope introspect
  migrate      apply database migrations (DATABASE_URL, or the embedded database in DATA_DIR)
  bootstrap    create organization "default" and its admin key on an empty database
  signing-keys rotate   a new token signing key now (on the database, like migrate)

Options: --json (machine-readable output), --help, --version
`;

const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  name: { type: 'string' },
  description: { type: 'string' },
  kind: { type: 'string' },
  group: { type: 'string' },
  owner: { type: 'string' },
  scim: { type: 'boolean' },
  impersonation: { type: 'boolean' },
  permissions: { type: 'string' },
  expiration: { type: 'string' },
  'expires-at': { type: 'string' },
  status: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
  all: { type: 'boolean' },
  grace: { type: 'string' },
  permission: { type: 'string', multiple: true },
  role: { type: 'string', multiple: true },
  action: { type: 'string' },
  actor: { type: 'string' },
  target: { type: 'string' },
  resource: { type: 'string' },
} satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

interface ApiKey {
  id: string;
  name: string;
  kind: string;
  groupName: string | null;
  ownerUserName: string | null;
  scim: boolean;
  impersonation?: boolean;
  fragment: string;
  status: string;
  statusReason: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  createdBy: { name: string };
}

class UsageError extends Error {}

/** Exit status of a "no": `authorize` denied, `introspect` inactive (1 is an error, 2 a usage error). */
const DENIED = 3;
/** The CLI waits longer than a service would: a person is watching, and `keys list --all` pages. */
const CLI_TIMEOUT_MS = 60_000;
const KEY_MISSING =
  'KEYSCOPE_API_KEY is not set: export the API key to use (it is read from the environment, never from arguments)';

function needKey(): string {
  const key = process.env.KEYSCOPE_API_KEY;
  if (!key) throw new KeyscopeError(0, 'no_key', KEY_MISSING);
  return key;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv);
  const out = output(values.json === true);
  if (values.version) {
    out.line('keyscope 0.1.0');
    return 0;
  }
  if (values.help || !positionals.length) {
    process.stdout.write(HELP);
    return positionals.length || values.help ? 0 : 2;
  }
  const [command, sub, ...rest] = positionals;
  if (command === 'migrate' || command === 'bootstrap') {
    const { runDatabaseCommand } = await import('./database-commands.js');
    return runDatabaseCommand(command, out);
  }
  if (command === 'signing-keys') {
    if (sub !== 'rotate') throw new UsageError('usage: keyscope signing-keys rotate');
    const { runDatabaseCommand } = await import('./database-commands.js');
    return runDatabaseCommand('signing-keys-rotate', out);
  }
  // No key yet is no error: a usage error comes first, and a call without one fails as no_key.
  const api = new KeyscopeClient({
    url: process.env.KEYSCOPE_URL || 'http://localhost:3000',
    key: process.env.KEYSCOPE_API_KEY || undefined,
    timeoutMs: CLI_TIMEOUT_MS,
  });
  switch (command) {
    case 'keys':
      return keysCommand(api, out, sub, rest, values);
    case 'groups':
      return groupsCommand(api, out, sub, rest, values);
    case 'orgs':
      if (sub !== 'create' || !rest[0]) throw new UsageError('usage: keyscope orgs create NAME');
      return printIssued(out, await api.request('POST', '/organizations', { body: { name: rest[0] } }));
    case 'audit': {
      const q = query({ action: values.action, actor: values.actor, target: values.target, limit: values.limit });
      const page = await api.request<{
        items: {
          at: string;
          actor: { name: string };
          action: string;
          target: string | null;
          requestId: string | null;
        }[];
      }>('GET', `/audit${q}`);
      out.print(page, () => ({
        headers: ['AT', 'ACTION', 'TARGET', 'ACTOR'],
        rows: page.items.map((e) => [shortDate(e.at), e.action, e.target, e.actor.name]),
      }));
      return 0;
    }
    case 'whoami': {
      const me = await api.me();
      const permissions = me.permissions
        .map((g) => g.permission + (g.resources ? `@${g.resources.join(',')}` : ''))
        .join(' ');
      out.print(me, () => ({
        headers: ['ORGANIZATION', 'KEY', 'KIND', 'STATUS', 'GROUP', 'OWNER', 'SCIM', 'PERMISSIONS'],
        rows: [
          [
            me.organization.name,
            `${me.key.name} (${me.key.id})`,
            me.key.kind,
            me.key.status,
            me.group?.name,
            me.owner?.userName,
            me.key.scim ? 'yes' : 'no',
            permissions || '(none)',
          ],
        ],
      }));
      return 0;
    }
    case 'authorize': {
      const permission = need(sub, 'authorize PERMISSION [--resource R]');
      const decision: AuthorizeDecision = await api.authorize(needKey(), permission, values.resource);
      out.print(decision, () => ({
        headers: ['PERMISSION', 'RESOURCE', 'ALLOWED', 'REASON'],
        rows: [
          [permission, values.resource, decision.allowed ? 'yes' : 'no', decision.allowed ? null : decision.reason],
        ],
      }));
      return decision.allowed ? 0 : DENIED;
    }
    case 'introspect': {
      const token = (await readStdin()).trim();
      if (!token || sub)
        throw new UsageError(
          'introspect reads the token from standard input: printf %s "$TOKEN" | keyscope introspect',
        );
      const info: Introspection = await api.introspect(token);
      out.print(info, () => ({
        headers: ['ACTIVE', 'KEY', 'KIND', 'STATUS', 'GROUP', 'OWNER', 'EXPIRES', 'SCOPE'],
        rows: [
          info.active
            ? [
                'yes',
                `${info.key.name} (${info.key.id})`,
                info.key.kind,
                info.key.status,
                info.group?.name,
                info.owner?.userName,
                info.key.expiresAt ? shortDate(info.key.expiresAt) : 'never',
                info.scope || '(none)',
              ]
            : ['no'],
        ],
      }));
      return info.active ? 0 : DENIED;
    }
    default:
      throw new UsageError(`unknown command "${command}"; see keyscope --help`);
  }
}

async function keysCommand(
  api: KeyscopeClient,
  out: Output,
  sub: string | undefined,
  rest: string[],
  v: Values,
): Promise<number> {
  switch (sub) {
    case 'create': {
      if (!v.name) throw new UsageError('keys create needs --name');
      const body = {
        name: v.name,
        ...(v.description !== undefined ? { description: v.description } : {}),
        ...(v.kind ? { kind: v.kind } : {}),
        ...(v.group ? { groupId: v.group } : {}),
        ...(v.owner ? { ownerUserId: v.owner } : {}),
        ...(v.scim ? { scim: true } : {}),
        ...(v.impersonation ? { impersonation: true } : {}),
        ...(v.permissions
          ? {
              permissions: v.permissions
                .split(',')
                .map((p) => p.trim())
                .filter(Boolean),
            }
          : {}),
        ...(v.expiration ? { expiration: v.expiration } : {}),
        ...(v['expires-at'] ? { expiresAt: v['expires-at'] } : {}),
      };
      return printIssued(out, await api.request('POST', '/keys', { body }));
    }
    case 'list': {
      const items: ApiKey[] = [];
      let cursor: string | null = null;
      do {
        const q = query({
          status: v.status,
          q: v.search,
          owner: v.owner,
          groupId: v.group,
          limit: v.limit,
          cursor: cursor ?? undefined,
        });
        const page: { items: ApiKey[]; nextCursor: string | null } = await api.request('GET', `/keys${q}`);
        items.push(...page.items);
        cursor = v.all ? page.nextCursor : null;
      } while (cursor);
      out.print(v.json ? { items } : items, () => ({
        headers: ['ID', 'NAME', 'KEY', 'STATUS', 'GROUP', 'LAST USED', 'EXPIRES', 'CREATED BY'],
        rows: items.map((k) => [
          k.id,
          k.impersonation ? `${k.name} [impersonator]` : k.name,
          k.fragment,
          k.statusReason ? `${k.status} (${k.statusReason})` : k.status,
          k.groupName ?? (k.ownerUserName ? `personal: ${k.ownerUserName}` : null),
          shortDate(k.lastUsedAt),
          k.expiresAt ? shortDate(k.expiresAt) : 'never',
          k.createdBy.name,
        ]),
      }));
      return 0;
    }
    case 'get':
      return printKey(out, await api.request('GET', `/keys/${encodeURIComponent(need(rest[0], 'keys get ID'))}`));
    case 'update': {
      const body = {
        ...(v.name !== undefined ? { name: v.name } : {}),
        ...(v.description !== undefined ? { description: v.description } : {}),
        ...(v.group ? { groupId: v.group } : {}),
      };
      if (!Object.keys(body).length) throw new UsageError('keys update needs --name, --description or --group');
      return printKey(
        out,
        await api.request('PATCH', `/keys/${encodeURIComponent(need(rest[0], 'keys update ID'))}`, { body }),
      );
    }
    case 'revoke': {
      if (v.group || v.owner) {
        const result = await api.request<{ revoked: string[] }>('POST', '/keys/revoke', {
          body: v.group ? { groupId: v.group } : { ownerUserId: v.owner },
        });
        out.print(result, () => ({ headers: ['REVOKED'], rows: result.revoked.map((id) => [id]) }));
        return 0;
      }
      return printKey(
        out,
        await api.request(
          'DELETE',
          `/keys/${encodeURIComponent(need(rest[0], 'keys revoke ID (or --group ID / --owner USER_ID)'))}`,
        ),
      );
    }
    case 'rotate': {
      const grace = v.grace !== undefined ? Number(v.grace) : undefined;
      if (grace !== undefined && !Number.isInteger(grace))
        throw new UsageError('--grace takes a whole number of seconds');
      return printIssued(
        out,
        await api.request('POST', `/keys/${encodeURIComponent(need(rest[0], 'keys rotate ID'))}/rotate`, {
          body: grace !== undefined ? { gracePeriodSeconds: grace } : {},
        }),
      );
    }
    default:
      throw new UsageError('usage: keyscope keys create|list|get|update|revoke|rotate');
  }
}

async function groupsCommand(
  api: KeyscopeClient,
  out: Output,
  sub: string | undefined,
  rest: string[],
  v: Values,
): Promise<number> {
  interface Group {
    id: string;
    displayName: string;
    source: string;
    memberCount: number;
    rules: { permission?: string; role?: string; resources?: string[] }[];
    keys: unknown[];
  }
  const ruleText = (g: Group) =>
    g.rules
      .map((r) => `${r.role ? `role:${r.role}` : r.permission}${r.resources ? `@${r.resources.join(',')}` : ''}`)
      .join(' ');
  if (sub === 'list') {
    const page = await api.request<{ items: Group[] }>('GET', `/groups${query({ q: v.search, limit: '500' })}`);
    out.print(page, () => ({
      headers: ['ID', 'NAME', 'SOURCE', 'MEMBERS', 'KEYS', 'RULES'],
      rows: page.items.map((g) => [g.id, g.displayName, g.source, g.memberCount, g.keys.length, ruleText(g)]),
    }));
    return 0;
  }
  if (sub === 'get') {
    const group = await api.request<Group>('GET', `/groups/${encodeURIComponent(need(rest[0], 'groups get ID'))}`);
    out.print(group, () => ({
      headers: ['ID', 'NAME', 'SOURCE', 'MEMBERS', 'KEYS', 'RULES'],
      rows: [
        [group.id, group.displayName, group.source, group.memberCount, group.keys.length, ruleText(group) || '(none)'],
      ],
    }));
    return 0;
  }
  if (sub === 'rules' && rest[0] === 'set') {
    const id = need(rest[1], 'groups rules set ID [--permission P]... [--role R]...');
    const parse = (kind: 'permission' | 'role') => (spec: string) => {
      const [name, resources] = spec.split('@') as [string, string | undefined];
      return { [kind]: name, ...(resources ? { resources: resources.split(',').filter(Boolean) } : {}) };
    };
    const rules = [...(v.permission ?? []).map(parse('permission')), ...(v.role ?? []).map(parse('role'))];
    const group = await api.request<Group>('PUT', `/groups/${encodeURIComponent(id)}/rules`, { body: { rules } });
    out.print(group, () => ({ headers: ['GROUP', 'RULES'], rows: [[group.displayName, ruleText(group) || '(none)']] }));
    return 0;
  }
  throw new UsageError('usage: keyscope groups list | groups get ID | groups rules set ID ...');
}

function printIssued(out: Output, issued: unknown): number {
  const { token, key } = issued as { token: string; key: ApiKey };
  if (out.json) {
    out.print(issued);
  } else {
    printKey(out, key);
    out.line('');
    out.line(`  ${token}`);
    out.line('');
    out.warn(
      'This token is shown once and cannot be shown again. Store it now (a secrets manager, not a file in git).',
    );
  }
  return 0;
}

function printKey(out: Output, key: ApiKey): number {
  out.print(key, () => ({
    headers: ['ID', 'NAME', 'KEY', 'STATUS', 'GROUP', 'EXPIRES', 'SCIM', 'IMPERSONATION'],
    rows: [
      [
        key.id,
        key.name,
        key.fragment,
        key.statusReason ? `${key.status} (${key.statusReason})` : key.status,
        key.groupName ?? key.ownerUserName,
        key.expiresAt ? shortDate(key.expiresAt) : 'never',
        key.scim ? 'yes' : 'no',
        key.impersonation ? 'yes' : 'no',
      ],
    ],
  }));
  return 0;
}

function need(value: string | undefined, usage: string): string {
  if (!value) throw new UsageError(`usage: keyscope ${usage}`);
  return value;
}

function query(params: Record<string, string | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`keyscope: ${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof KeyscopeError) {
      const message =
        error.code === 'no_key'
          ? KEY_MISSING
          : error.code === 'unreachable' || error.code === 'timeout'
            ? `${error.message}; set KEYSCOPE_URL`
            : error.message;
      process.stderr.write(`keyscope: ${error.status ? `${error.status}: ` : ''}${message}\n`);
      for (const e of error.fieldErrors) process.stderr.write(`  ${e.field}: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`keyscope: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
