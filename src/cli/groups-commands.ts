import type { Group, GroupRule } from '../client/index.js';
import { type Command, collect, limitOf, PAGING_FLAGS, yesNo } from './command.js';
import type { Output } from './output.js';

const ruleText = (rules: GroupRule[]) =>
  rules
    .map(
      (r) =>
        `${r.role ? `role:${r.role}` : r.permission}${r.resources ? `@${r.resources.join(',')}` : ''}` +
        (r.when ? ` when (${r.when})` : ''),
    )
    .join(' ');

const GROUP_HEADERS = ['ID', 'NAME', 'SOURCE', 'MEMBERS', 'KEYS', 'RULES'];
const groupRow = (g: Group) => [
  g.id,
  g.displayName,
  g.source,
  g.memberCount,
  g.keys.length,
  ruleText(g.rules) || '(none)',
];

function printGroup(out: Output, group: Group): number {
  out.print(group, () => ({ headers: GROUP_HEADERS, rows: [groupRow(group)] }));
  return 0;
}

/** `RULE[@res1,res2][ when FILTER]` to a rule of the given kind; FILTER is a condition on the user (issue 13). */
const parseRule = (kind: 'permission' | 'role') => (spec: string) => {
  const at = /\s+when\s+/.exec(spec);
  const head = at ? spec.slice(0, at.index) : spec;
  const when = at ? spec.slice(at.index + at[0].length) : undefined;
  const [name, resources] = head.trim().split('@') as [string, string | undefined];
  return {
    [kind]: name,
    ...(resources ? { resources: resources.split(',').filter(Boolean) } : {}),
    ...(when !== undefined ? { when } : {}),
  };
};

export const groupsCommands: Command[] = [
  {
    path: 'groups list',
    summary: 'List groups: where each comes from, its members, keys and rules.',
    flags: { search: { value: 'TEXT', help: 'in group names' } },
    example: 'keyscope groups list --search eng',
    async run({ api, out, flags }) {
      const page = await api().listGroups({ q: flags.string('search'), limit: 500 });
      out.print(page, () => ({ headers: GROUP_HEADERS, rows: page.items.map(groupRow) }));
      return 0;
    },
  },
  {
    path: 'groups get',
    args: ['ID'],
    summary: 'Show one group.',
    example: 'keyscope groups get GROUP_ID',
    async run({ api, out, args }) {
      return printGroup(out, await api().getGroup(args[0]!));
    },
  },
  {
    path: 'groups members',
    args: ['ID'],
    summary: "List a group's members: users, and groups nested in it.",
    flags: PAGING_FLAGS,
    example: 'keyscope groups members GROUP_ID --all',
    async run({ api, out, flags, args }) {
      const limit = limitOf(flags);
      const page = await collect((cursor) => api().groupMembers(args[0]!, { limit, cursor }), flags.has('all'));
      out.print(page, () => ({
        headers: ['ID', 'TYPE', 'NAME', 'DISPLAY NAME', 'ACTIVE'],
        rows: page.items.map((m) => [m.id, m.type, m.name, m.displayName, m.type === 'User' ? yesNo(m.active) : null]),
      }));
      return 0;
    },
  },
  {
    path: 'groups create',
    args: ['NAME'],
    summary: 'Create a local group (one keyscope owns; SCIM groups come from the identity provider).',
    flags: { description: { value: 'D', help: 'what it is for' } },
    example: 'keyscope groups create "Release managers" --description "may rotate deploy keys"',
    async run({ api, out, flags, args }) {
      return printGroup(out, await api().createGroup(args[0]!, flags.string('description')));
    },
  },
  {
    path: 'groups rename',
    args: ['ID', 'NAME'],
    summary: 'Rename a local group.',
    example: 'keyscope groups rename GROUP_ID "Release team"',
    async run({ api, out, args }) {
      return printGroup(out, await api().updateGroup(args[0]!, { displayName: args[1]! }));
    },
  },
  {
    path: 'groups delete',
    args: ['ID'],
    summary: 'Delete a local group; the keys scoped to it stop working (suspended: group_deleted).',
    example: 'keyscope groups delete GROUP_ID',
    async run({ api, out, args }) {
      await api().deleteGroup(args[0]!);
      out.print({ deleted: args[0] }, () => ({ headers: ['DELETED'], rows: [[args[0]]] }));
      return 0;
    },
  },
  {
    path: 'groups rules set',
    args: ['ID'],
    summary: "Replace a group's rules; every key on the group picks them up at once. No rule flags: no rules.",
    help:
      'A rule may end in " when FILTER": it then grants only while FILTER, a SCIM filter over the user\'s attributes ' +
      '(as GET /scim/v2/Users?filter= takes it), matches the person the key acts for; a service key never gets it.',
    flags: {
      permission: {
        value: 'P[@res1,res2][ when FILTER]',
        help: 'grant a permission, optionally on named resources, optionally only while FILTER matches the user',
        multiple: true,
      },
      role: { value: 'R[@res1,res2][ when FILTER]', help: 'grant a role (see keyscope permissions)', multiple: true },
    },
    example:
      'keyscope groups rules set GROUP_ID --permission keys:read --role viewer@billing ' +
      '--permission \'payments:approve when title eq "Payments lead"\'',
    async run({ api, out, flags, args }) {
      const rules = [
        ...flags.list('permission').map(parseRule('permission')),
        ...flags.list('role').map(parseRule('role')),
      ];
      const group = await api().request<Group>('PUT', `/groups/${encodeURIComponent(args[0]!)}/rules`, {
        body: { rules },
      });
      out.print(group, () => ({
        headers: ['GROUP', 'RULES'],
        rows: [[group.displayName, ruleText(group.rules) || '(none)']],
      }));
      return 0;
    },
  },
];
