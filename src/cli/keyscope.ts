#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeyscopeClient, KeyscopeError } from '../client/index.js';
import { accessCommands } from './access-commands.js';
import {
  type Command,
  commandHelp,
  commandWords,
  type Flags,
  GLOBAL_FLAGS,
  UsageError,
  usageError,
} from './command.js';
import { groupsCommands } from './groups-commands.js';
import { rolesCommands } from './roles-commands.js';
import { keysCommands } from './keys-commands.js';
import { orgCommands } from './org-commands.js';
import { output } from './output.js';
import { usersCommands } from './users-commands.js';

/** Commands on the database itself (DATABASE_URL or DATA_DIR): loaded only when run, they import the server. */
const databaseCommand = (
  path: string,
  name: 'migrate' | 'bootstrap' | 'signing-keys-rotate',
  summary: string,
  example: string,
): Command => ({
  path,
  summary,
  example,
  async run({ out }) {
    const { runDatabaseCommand } = await import('./database-commands.js');
    return runDatabaseCommand(name, out);
  },
});

const COMMANDS: Command[] = [
  ...keysCommands,
  ...groupsCommands,
  ...rolesCommands,
  ...usersCommands,
  ...accessCommands,
  ...orgCommands,
  databaseCommand(
    'migrate',
    'migrate',
    'Apply database migrations (DATABASE_URL, or the embedded database in DATA_DIR).',
    'DATABASE_URL=postgres://keyscope@db/keyscope keyscope migrate',
  ),
  databaseCommand(
    'bootstrap',
    'bootstrap',
    'Create organization "default" and its admin key on an empty database; prints the key once.',
    'keyscope bootstrap',
  ),
  databaseCommand(
    'signing-keys rotate',
    'signing-keys-rotate',
    'A new token signing key now (on the database, like migrate).',
    'keyscope signing-keys rotate',
  ),
];

const VERSION = 'keyscope 0.1.0';

function mainHelp(): string {
  const entries = COMMANDS.map((c) => [commandWords(c), c.summary.split('. ')[0]!] as const);
  const width = Math.max(...entries.map(([e]) => e.length));
  return `keyscope: manage API keys, groups, users' keys and organizations through the keyscope admin API.

Environment:
  KEYSCOPE_URL        the server (default http://localhost:3000)
  KEYSCOPE_API_KEY    the key to act with (never given as an argument, so it stays out of shell history)

Commands:
${entries.map(([e, summary]) => `  ${e.padEnd(width)}  ${summary.replace(/\.$/, '')}`).join('\n')}

keyscope <command> --help (or keyscope help <command>) shows a command's flags and an example.
Options: --json (machine-readable output), --help, --version
`;
}

/**
 * Every flag of every command, for the first reading of the command line (which finds the command).
 * A flag means the same in every command: a switch everywhere, or a value everywhere.
 */
const ALL_OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};
for (const [name, f] of COMMANDS.flatMap((c) => Object.entries(c.flags ?? {}))) {
  const option = { type: f.value ? ('string' as const) : ('boolean' as const), multiple: f.multiple === true };
  const seen = ALL_OPTIONS[name];
  if (seen && (seen.type !== option.type || (seen.multiple ?? false) !== option.multiple))
    throw new Error(`--${name} is read in two ways by two commands`);
  ALL_OPTIONS[name] = option;
}
ALL_OPTIONS.json = { type: 'boolean' };

/** The command the words name (the longest match), and the words after it. */
function resolve(words: string[]): { command?: Command; args: string[]; prefix: string } {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    const path = c.path.split(' ');
    if (path.every((w, i) => words[i] === w) && (!best || path.length > best.path.split(' ').length)) best = c;
  }
  if (best) return { command: best, args: words.slice(best.path.split(' ').length), prefix: best.path };
  // The longest run of words that starts some command: `keys`, `org policy`.
  let n = words.length;
  while (n > 0 && !COMMANDS.some((c) => `${c.path} `.startsWith(`${words.slice(0, n).join(' ')} `))) n--;
  return { args: words.slice(n), prefix: words.slice(0, n).join(' ') };
}

/** `keyscope keys --help`: the commands under `keys`, each with its usage and summary. */
function groupHelp(prefix: string): string {
  const under = COMMANDS.filter((c) => `${c.path} `.startsWith(`${prefix} `));
  return `${under.map((c) => `${commandHelp(c).split('\n')[0]}\n  ${c.summary}`).join('\n\n')}\n\nkeyscope ${prefix} <command> --help shows its flags and an example.\n`;
}

/** The command's own flags, checked: an unknown one, or a value missing or where none belongs, is a usage error. */
function checkFlags(command: Command, tokens: ReturnType<typeof parseArgs>['tokens']): void {
  const known = { ...command.flags, ...GLOBAL_FLAGS };
  for (const t of tokens ?? []) {
    if (t.kind !== 'option') continue;
    const flag = t.name === 'h' ? GLOBAL_FLAGS.help : known[t.name];
    if (!flag) throw usageError(command, `unknown option ${t.rawName}`);
    if (flag.value && t.value === undefined)
      throw usageError(command, `option ${t.rawName} needs a value (${flag.value})`);
    if (!flag.value && t.inlineValue) throw usageError(command, `option ${t.rawName} takes no value`);
  }
}

/** Required arguments and flags given, and no argument too many. */
function checkArgs(command: Command, args: string[], flags: Flags): void {
  const names = command.args ?? [];
  const missing = names.find((name, i) => !name.endsWith('?') && !args[i]);
  if (missing) throw usageError(command, `missing ${missing}`);
  const required = Object.entries(command.flags ?? {}).find(
    ([name, f]) => f.required && !(f.multiple ? flags.list(name).length : flags.string(name)),
  );
  if (required) throw usageError(command, `missing --${required[0]}`);
  const extra = args[names.length];
  if (extra === undefined) return;
  // A token is never echoed: it would land in a terminal's scrollback or a CI log.
  if (LOOKS_LIKE_A_TOKEN.test(extra))
    throw usageError(
      command,
      'unexpected argument (a token? it is never an argument: KEYSCOPE_API_KEY, or standard input)',
    );
  throw usageError(command, `unexpected argument "${extra}"`);
}

/** keyscope's keys (`ksk_…`) and signed tokens (compact JWS, `eyJ…`). */
const LOOKS_LIKE_A_TOKEN = /^(ksk_|eyJ)/;

function flagsOf(values: Record<string, unknown>): Flags {
  return {
    string: (name) => (typeof values[name] === 'string' ? (values[name] as string) : undefined),
    list: (name) => (Array.isArray(values[name]) ? (values[name] as string[]) : []),
    has: (name) => values[name] === true,
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: ALL_OPTIONS, allowPositionals: true, strict: false, tokens: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals, tokens } = parsed;
  const out = output(values.json === true);
  if (values.version) {
    out.line(VERSION);
    return 0;
  }
  const helpAsked = values.help === true || positionals[0] === 'help';
  const words = positionals[0] === 'help' ? positionals.slice(1) : positionals;
  if (!words.length) {
    process.stdout.write(mainHelp());
    return helpAsked ? 0 : 2;
  }
  const { command, args, prefix } = resolve(words);
  if (!command) {
    if (!prefix) throw new UsageError(`unknown command "${words[0]}" (see keyscope --help)`);
    if (helpAsked && !args.length) {
      process.stdout.write(groupHelp(prefix));
      return 0;
    }
    throw new UsageError(
      args.length
        ? `unknown command "${prefix} ${args[0]}" (see keyscope ${prefix} --help)`
        : `"${prefix}" needs a command (see keyscope ${prefix} --help)`,
    );
  }
  if (helpAsked) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  checkFlags(command, tokens);
  const flags = flagsOf(values);
  checkArgs(command, args, flags);
  let client: KeyscopeClient | undefined;
  const api = () => {
    // No key yet is no error here: a call without one fails as no_key, after the usage checks.
    client ??= new KeyscopeClient({
      url: process.env.KEYSCOPE_URL || 'http://localhost:3000',
      key: process.env.KEYSCOPE_API_KEY || undefined,
      timeoutMs: CLI_TIMEOUT_MS,
    });
    return client;
  };
  return command.run({ api, out, flags, args });
}

/** The CLI waits longer than a service would: a person is watching, and `--all` pages. */
const CLI_TIMEOUT_MS = 60_000;
const KEY_MISSING =
  'KEYSCOPE_API_KEY is not set: export the API key to use (it is read from the environment, never from arguments)';

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
