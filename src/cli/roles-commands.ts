import type { Role } from '../client/index.js';
import { type Command, UsageError, yesNo } from './command.js';
import type { Output } from './output.js';

const ROLE_HEADERS = ['NAME', 'BUILT-IN', 'PERMISSIONS', 'DESCRIPTION'];
const roleRow = (r: Role) => [r.name, yesNo(r.builtin), r.permissions.join(' '), r.description];

function printRole(out: Output, role: Role): number {
  out.print(role, () => ({ headers: ROLE_HEADERS, rows: [roleRow(role)] }));
  return 0;
}

/** `--permission a --permission b,c`: the permissions, commas allowed. */
const permissionsOf = (list: string[]) =>
  list
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);

const PERMISSION_FLAG = {
  value: 'P',
  help: 'a permission of the catalogue (keyscope permissions); repeat it or separate with commas',
  multiple: true,
};

/** Roles: the built-in ones (read-only) and those the organization defines (issue 13). */
export const rolesCommands: Command[] = [
  {
    path: 'roles list',
    summary: "List roles: the built-in ones, then the organization's own (groups:read).",
    example: 'keyscope roles list',
    async run({ api, out }) {
      const page = await api().listRoles();
      out.print(page, () => ({ headers: ROLE_HEADERS, rows: page.items.map(roleRow) }));
      return 0;
    },
  },
  {
    path: 'roles get',
    args: ['NAME'],
    summary: 'Show one role.',
    example: 'keyscope roles get payments-operator',
    async run({ api, out, args }) {
      return printRole(out, await api().getRole(args[0]!));
    },
  },
  {
    path: 'roles create',
    args: ['NAME'],
    summary: 'Define a role of the organization (org:admin); group rules and the identity provider may then name it.',
    flags: {
      permission: { ...PERMISSION_FLAG, required: true },
      description: { value: 'D', help: 'what it is for' },
    },
    example: 'keyscope roles create payments-operator --permission payments:approve,payments:read',
    async run({ api, out, flags, args }) {
      const description = flags.string('description');
      return printRole(
        out,
        await api().createRole({
          name: args[0]!,
          permissions: permissionsOf(flags.list('permission')),
          ...(description !== undefined ? { description } : {}),
        }),
      );
    },
  },
  {
    path: 'roles update',
    args: ['NAME'],
    summary: "Change a role's permissions or description (org:admin); every key holding it sees the change at once.",
    help: "Permissions given replace the role's permissions; left out, they stay.",
    flags: { permission: PERMISSION_FLAG, description: { value: 'D', help: 'what it is for' } },
    example: 'keyscope roles update payments-operator --permission payments:read',
    async run({ api, out, flags, args }) {
      const permissions = permissionsOf(flags.list('permission'));
      const description = flags.string('description');
      if (!permissions.length && description === undefined)
        throw new UsageError(`give --permission or --description (see keyscope roles update --help)`);
      return printRole(
        out,
        await api().updateRole(args[0]!, {
          ...(permissions.length ? { permissions } : {}),
          ...(description !== undefined ? { description } : {}),
        }),
      );
    },
  },
  {
    path: 'roles delete',
    args: ['NAME'],
    summary: 'Delete a role (org:admin); refused while a group rule names it.',
    example: 'keyscope roles delete payments-operator',
    async run({ api, out, args }) {
      await api().deleteRole(args[0]!);
      out.print({ deleted: args[0] }, () => ({ headers: ['DELETED'], rows: [[args[0]]] }));
      return 0;
    },
  },
];
