import { type Command, collect, limitOf, PAGING_FLAGS, yesNo } from './command.js';
import { listKeys, printKeys, STATUS_FLAG } from './keys-commands.js';

/** Provisioned users are read-only here: the identity provider writes them over SCIM. */
export const usersCommands: Command[] = [
  {
    path: 'users list',
    summary: 'List provisioned users (users:read).',
    flags: { search: { value: 'TEXT', help: 'in user names, display names and e-mails' }, ...PAGING_FLAGS },
    example: 'keyscope users list --search ada --all',
    async run({ api, out, flags }) {
      const limit = limitOf(flags);
      const page = await collect(
        (cursor) => api().listUsers({ q: flags.string('search'), limit, cursor }),
        flags.has('all'),
      );
      out.print(page, () => ({
        headers: ['ID', 'USER NAME', 'DISPLAY NAME', 'EXTERNAL ID', 'ACTIVE'],
        rows: page.items.map((u) => [u.id, u.userName, u.displayName, u.externalId, yesNo(u.active)]),
      }));
      return 0;
    },
  },
  {
    path: 'users get',
    args: ['ID'],
    summary: 'Show one user and how many groups it is in.',
    example: 'keyscope users get USER_ID',
    async run({ api, out, args }) {
      const user = await api().getUser(args[0]!);
      out.print(user, () => ({
        headers: ['ID', 'USER NAME', 'DISPLAY NAME', 'EXTERNAL ID', 'ACTIVE', 'GROUPS'],
        rows: [[user.id, user.userName, user.displayName, user.externalId, yesNo(user.active), user.groups.length]],
      }));
      return 0;
    },
  },
  {
    path: 'users groups',
    args: ['ID'],
    summary: "List a user's groups: direct, and indirect through a nested group.",
    example: 'keyscope users groups USER_ID',
    async run({ api, out, args }) {
      const { groups } = await api().getUser(args[0]!);
      out.print({ items: groups }, () => ({
        headers: ['ID', 'NAME', 'MEMBERSHIP'],
        rows: groups.map((g) => [g.id, g.displayName, g.type]),
      }));
      return 0;
    },
  },
  {
    path: 'users keys',
    args: ['ID'],
    summary: "List a user's personal keys (keys:manage).",
    flags: { status: STATUS_FLAG, ...PAGING_FLAGS },
    example: 'keyscope users keys USER_ID --status active',
    async run(call) {
      printKeys(
        call.out,
        await listKeys(call, { owner: 'all', ownerUserId: call.args[0]!, status: call.flags.string('status') }),
      );
      return 0;
    },
  },
];
