import { type Command, collect, DENIED, limitOf, PAGING_FLAGS, UsageError } from './command.js';
import { shortDate } from './output.js';

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

const AGO_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 2h` (ago, in m/h/d) or an ISO 8601 date-time, which the server checks. */
export function pointInTime(text: string | undefined, now = Date.now()): string | undefined {
  if (text === undefined) return undefined;
  const ago = /^(\d+)([mhd])$/.exec(text);
  return ago ? new Date(now - Number(ago[1]) * AGO_UNITS[ago[2]!]!).toISOString() : text;
}

const KEY_ENV = 'the key is KEYSCOPE_API_KEY, read from the environment';

export const accessCommands: Command[] = [
  {
    path: 'whoami',
    summary: `Who this key is and what it may do (${KEY_ENV}).`,
    example: 'keyscope whoami --json',
    async run({ api, out }) {
      const me = await api().me();
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
    },
  },
  {
    path: 'authorize',
    args: ['PERMISSION'],
    summary: 'May this key do PERMISSION (on a resource)? Exit status 0 allowed, 3 denied, 1 an unknown permission.',
    flags: { resource: { value: 'R', help: 'the resource it would act on' } },
    example: 'keyscope authorize reports:read --resource billing && echo allowed',
    async run({ api, out, flags, args }) {
      const permission = args[0]!;
      const resource = flags.string('resource');
      // The key asks about itself: its token is the one decided on ('' fails as no_key).
      const decision = await api().authorize(process.env.KEYSCOPE_API_KEY ?? '', permission, resource);
      out.print(decision, () => ({
        headers: ['PERMISSION', 'RESOURCE', 'ALLOWED', 'REASON'],
        rows: [[permission, resource, decision.allowed ? 'yes' : 'no', decision.allowed ? null : decision.reason]],
      }));
      return decision.allowed ? 0 : DENIED;
    },
  },
  {
    path: 'introspect',
    summary: 'What the token on standard input is (needs keys:introspect). Exit status 0 active, 3 not.',
    help: 'The token is read from standard input, never from an argument, so it stays out of shell history.',
    example: 'printf %s "$TOKEN" | keyscope introspect',
    async run({ api, out }) {
      const token = (await readStdin()).trim();
      if (!token)
        throw new UsageError(
          'introspect reads the token from standard input: printf %s "$TOKEN" | keyscope introspect',
        );
      const info = await api().introspect(token);
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
    },
  },
  {
    path: 'permissions',
    summary: 'The permissions and roles this keyscope knows: what group rules and keys may name.',
    example: 'keyscope permissions',
    async run({ api, out }) {
      const catalogue = await api().permissions();
      out.print(catalogue, () => ({
        headers: ['NAME', 'KIND', 'DESCRIPTION'],
        rows: [
          ...catalogue.permissions.map((p) => [p.name, p.builtin ? 'permission' : 'custom', p.description]),
          ...catalogue.roles.map((r) => [`role:${r.name}`, 'role', r.permissions.join(' ')]),
        ],
      }));
      return 0;
    },
  },
  {
    path: 'audit',
    summary: 'Read the audit log, newest first (audit:read).',
    flags: {
      action: { value: 'A', help: 'an action, or a family: key.*' },
      actor: { value: 'A', help: 'who did it: a key id or name' },
      target: { value: 'T', help: 'what it was done to: key:ID, group:ID, ...' },
      since: { value: 'WHEN', help: 'from then on: 30m, 2h, 7d ago, or an ISO 8601 date-time' },
      until: { value: 'WHEN', help: 'up to then (same forms)' },
      ...PAGING_FLAGS,
    },
    example: 'keyscope audit --action "key.*" --since 7d --all',
    async run({ api, out, flags }) {
      const limit = limitOf(flags);
      const query = {
        action: flags.string('action'),
        actor: flags.string('actor'),
        target: flags.string('target'),
        since: pointInTime(flags.string('since')),
        until: pointInTime(flags.string('until')),
        limit,
      };
      const page = await collect((cursor) => api().audit({ ...query, cursor }), flags.has('all'));
      out.print(page, () => ({
        headers: ['AT', 'ACTION', 'TARGET', 'ACTOR'],
        rows: page.items.map((e) => [shortDate(e.at), e.action, e.target, e.actor.name]),
      }));
      return 0;
    },
  },
];
