import { readFileSync } from 'node:fs';
import type { IssuedKey, Organization, OrgPolicy } from '../client/index.js';
import { type Command, UsageError } from './command.js';
import { printIssued } from './keys-commands.js';
import type { Output } from './output.js';

function printPolicy(out: Output, org: Organization): number {
  const p = org.policy;
  out.print(org, () => ({
    headers: ['ORGANIZATION', 'MAX KEYS', 'EXPIRATIONS', 'NEVER', 'SCIM KEY MAX DAYS'],
    rows: [
      [
        org.name,
        p.maxKeys,
        p.allowedExpirations.join(','),
        p.allowNever ? 'yes' : 'no',
        p.maxScimKeyLifetimeDays ?? 'none',
      ],
    ],
  }));
  return 0;
}

/** A whole number, or the mistake named before any call. */
function whole(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`--${flag} takes a whole number, got "${text}"`);
  return Number(text);
}

function yesOrNo(flag: string, text: string): boolean {
  if (text !== 'yes' && text !== 'no') throw new UsageError(`--${flag} takes yes or no, got "${text}"`);
  return text === 'yes';
}

export const orgCommands: Command[] = [
  {
    path: 'orgs create',
    args: ['NAME'],
    summary: 'Create an organization and its first admin key (orgs:create); prints the token once.',
    example: 'keyscope orgs create acme',
    async run({ api, out, args }) {
      return printIssued(
        out,
        await api().request<IssuedKey & { organization: unknown }>('POST', '/organizations', {
          body: { name: args[0] },
        }),
      );
    },
  },
  {
    path: 'org policy get',
    summary: "Show this key's organization policy: what keys may be.",
    example: 'keyscope org policy get --json',
    async run({ api, out }) {
      return printPolicy(out, await api().organization());
    },
  },
  {
    path: 'org policy set',
    summary: 'Change the organization policy (org:admin); flags left out stay as they are.',
    flags: {
      'max-keys': { value: 'N', help: 'at most N live keys in the organization' },
      'allowed-expirations': {
        value: '30d,90d,...',
        help: 'the lifetimes a new key may choose from (7d 30d 60d 90d 180d 1y never)',
      },
      'allow-never': { value: 'yes|no', help: 'whether a key may never expire' },
      'max-scim-key-days': { value: 'N|none', help: 'the longest lifetime of a key with the SCIM flag' },
    },
    example: 'keyscope org policy set --max-keys 200 --allowed-expirations 30d,90d --allow-never no',
    async run({ api, out, flags }) {
      const changes: Partial<OrgPolicy> = {};
      const maxKeys = flags.string('max-keys');
      if (maxKeys !== undefined) changes.maxKeys = whole('max-keys', maxKeys);
      const expirations = flags.string('allowed-expirations');
      if (expirations !== undefined)
        changes.allowedExpirations = expirations
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean);
      const never = flags.string('allow-never');
      if (never !== undefined) changes.allowNever = yesOrNo('allow-never', never);
      const scimDays = flags.string('max-scim-key-days');
      if (scimDays !== undefined)
        changes.maxScimKeyLifetimeDays = scimDays === 'none' ? null : whole('max-scim-key-days', scimDays);
      if (!Object.keys(changes).length)
        throw new UsageError('org policy set needs at least one policy flag (see keyscope org policy set --help)');
      return printPolicy(out, await api().updatePolicy(changes));
    },
  },
  {
    path: 'org signals get',
    summary:
      'Show who may send this organization signals (Shared Signals transmitters, Universal Logout) and what they do (org:admin).',
    example: 'keyscope org signals get --json',
    async run({ api, out }) {
      return printSignals(out, await api().request<SignalSettings>('GET', '/organizations/current/signals'));
    },
  },
  {
    path: 'org signals set',
    summary: 'Replace the signal settings with a JSON document (org:admin); see docs/signals.md.',
    help: '{"transmitters":[{"issuer":…,"jwksUri":…}],"universalLogout":{"issuer":…,"jwksUri":…}|null,"onSignal":"suspend_keys"|"end_sessions"}',
    flags: { file: { value: 'PATH', help: 'the JSON document (- for standard input)' } },
    example: 'keyscope org signals set --file signals.json',
    async run({ api, out, flags }) {
      const file = flags.string('file');
      if (!file) throw new UsageError('org signals set needs --file PATH (see keyscope org signals set --help)');
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
      } catch (error) {
        throw new UsageError(`--file ${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      return printSignals(out, await api().request<SignalSettings>('PUT', '/organizations/current/signals', { body }));
    },
  },
];

interface KeySource {
  issuer: string;
  jwksUri?: string;
  jwks?: unknown;
}
interface SignalSettings {
  transmitters: KeySource[];
  universalLogout: KeySource | null;
  onSignal: string;
}

function printSignals(out: Output, settings: SignalSettings): number {
  const keys = (s: KeySource) => s.jwksUri ?? 'inline JWKS';
  out.print(settings, () => ({
    headers: ['KIND', 'ISSUER', 'KEYS', 'ON SIGNAL'],
    rows: [
      ...settings.transmitters.map((t) => ['shared signals', t.issuer, keys(t), settings.onSignal]),
      ...(settings.universalLogout
        ? [['universal logout', settings.universalLogout.issuer, keys(settings.universalLogout), settings.onSignal]]
        : []),
    ],
  }));
  return 0;
}
