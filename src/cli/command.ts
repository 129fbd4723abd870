import type { KeyscopeClient, Page } from '../client/index.js';
import type { Output } from './output.js';

/** A mistake on the command line: one line on stderr, exit status 2. */
export class UsageError extends Error {}

/** Exit status of a "no": `authorize` denied, `introspect` inactive (1 is an error, 2 a usage error). */
export const DENIED = 3;

/** A flag of one command: `value` names what it takes (none: a switch), `help` says what it does. */
export interface Flag {
  value?: string;
  help: string;
  multiple?: boolean;
  /** The command cannot run without it. */
  required?: boolean;
}

/** The flags a command was given, read by name. */
export interface Flags {
  string(name: string): string | undefined;
  list(name: string): string[];
  has(name: string): boolean;
}

export interface Invocation {
  /** The client, built lazily: `migrate` and `bootstrap` never reach the server. */
  api: () => KeyscopeClient;
  out: Output;
  flags: Flags;
  /** The positional arguments after the command's words, one per name of `args`. */
  args: string[];
}

/** One command of the CLI, its help text next to its handler. */
export interface Command {
  /** The words that select it: `keys list`, `org policy set`. */
  path: string;
  /** Positional arguments: `ID`, and `ID?` for an optional one. */
  args?: string[];
  flags?: Record<string, Flag>;
  /** One line for the command list; `help` adds to it in `--help`. */
  summary: string;
  help?: string;
  example: string;
  run(call: Invocation): Promise<number>;
}

/** Every command takes these. */
export const GLOBAL_FLAGS: Record<string, Flag> = {
  json: { help: 'machine-readable output' },
  help: { help: 'this help' },
};

/** `keys get ID`, `keys revoke [ID]`: the words and positional arguments of a command. */
export function commandWords(command: Command): string {
  return [command.path, ...(command.args ?? []).map((a) => (a.endsWith('?') ? `[${a.slice(0, -1)}]` : a))].join(' ');
}

export function usageLine(command: Command): string {
  const flags = Object.entries(command.flags ?? {}).map(([name, f]) => {
    const flag = `--${name}${f.value ? ` ${f.value}` : ''}`;
    return f.required ? flag : `[${flag}]${f.multiple ? '...' : ''}`;
  });
  return ['keyscope', commandWords(command), ...flags].join(' ');
}

/** `keyscope <command> --help`: usage, what it does, its flags, an example. */
export function commandHelp(command: Command): string {
  const flags = Object.entries({ ...command.flags, ...GLOBAL_FLAGS }).map(
    ([name, f]) => [`--${name}${f.value ? ` ${f.value}` : ''}`, f.help] as const,
  );
  const width = Math.max(...flags.map(([f]) => f.length));
  return [
    `usage: ${usageLine(command)}`,
    '',
    command.summary + (command.help ? `\n${command.help}` : ''),
    '',
    'Options:',
    ...flags.map(([f, help]) => `  ${f.padEnd(width)}  ${help}`),
    '',
    'Example:',
    `  ${command.example}`,
    '',
  ].join('\n');
}

/** `usage` as an error that points to the command's help. */
export function usageError(command: Command, problem: string): UsageError {
  return new UsageError(`${problem} for "${command.path}" (see keyscope ${command.path} --help)`);
}

/** Each page of a list, or only the first: `--all` follows `nextCursor` to the end. */
export async function collect<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  all: boolean,
): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (!all || !page.nextCursor) return { items, nextCursor: page.nextCursor };
    cursor = page.nextCursor;
  }
}

/** `--limit N` as a whole number, checked here so that the mistake is named before any call. */
export function limitOf(flags: Flags): number | undefined {
  const text = flags.string('limit');
  if (text === undefined) return undefined;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1) throw new UsageError(`--limit takes a whole number above 0, got "${text}"`);
  return limit;
}

/** The flags that page through a list. */
export const PAGING_FLAGS: Record<string, Flag> = {
  limit: { value: 'N', help: 'at most N per page (the server caps it)' },
  all: { help: 'every page, not only the first' },
};

export const yesNo = (value: boolean | null | undefined): string => (value ? 'yes' : 'no');
