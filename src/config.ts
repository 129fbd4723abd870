import { readFileSync } from 'node:fs';
import express from 'express';
import { z } from 'zod';

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const integer = (min: number, max: number) =>
  z.string().trim().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

const EnvSchema = z.object({
  PORT: integer(0, 65535).default(3000),
  HOST: z.string().trim().min(1).optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_SIZE: integer(1, 500).default(10),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  BCRYPT_COST: integer(4, 15).default(10),
  LOG_LEVEL: LogLevel.default('info'),
  TRUST_PROXY: z.string().trim().optional(),
  KEYSCOPE_PERMISSIONS: z.string().trim().optional(),
  BOOTSTRAP_ADMIN_KEY: z
    .string()
    .min(32, 'must be at least 32 characters')
    // ksk_ marks tokens keyscope issues, which are checked as such: this value could never be used.
    .refine(
      (v) => !v.startsWith('ksk_'),
      'must not start with ksk_ (the prefix of tokens keyscope issues); use any other string of 32+ characters',
    )
    .optional(),
  SIGNING_KEY_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WORKERS: integer(1, 64).default(1),
  AUTH_FAILURE_LIMIT: integer(1, 100000).default(10),
  SIGNIN_RATE_LIMIT: integer(1, 100000).default(30),
  PRINCIPAL_CACHE_TTL_SECONDS: integer(1, 86400).default(60),
  SHUTDOWN_TIMEOUT_SECONDS: integer(1, 600).default(10),
  PUBLIC_URL: z
    .string()
    .trim()
    .refine(
      isPublicUrl,
      'must be an absolute http:// or https:// URL without query or fragment (https://keyscope.example.com)',
    )
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  METRICS_PORT: integer(0, 65535).optional(),
  SESSION_IDLE_TIMEOUT_SECONDS: integer(60, 30 * 86400).default(8 * 3600),
  SESSION_MAX_LIFETIME_SECONDS: integer(60, 90 * 86400).default(24 * 3600),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false'], "must be 'true' or 'false'").default('false'),
  WEBHOOK_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .trim()
    .regex(
      /^\d+(ms|s|m|h)?(\s*,\s*\d+(ms|s|m|h)?)*$/,
      'must be a comma list of delays, each a whole number with a unit ms, s, m or h (1s,5s,30s); no unit means ms',
    )
    .default('1s,5s,30s'),
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: integer(1, 86400).default(3600),
  WEBHOOK_GIVE_UP_AFTER_SECONDS: integer(1, 30 * 86400).default(86400),
  KEY_EXPIRY_SCAN_SECONDS: integer(1, 86400).default(60),
});

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `1s,5s,30s` → [1000, 5000, 30000]. */
function parseDelays(raw: string): number[] {
  return raw.split(',').map((part) => {
    const m = /^(\d+)(ms|s|m|h)?$/.exec(part.trim())!;
    return Number(m[1]) * UNIT_MS[(m[2] ?? 'ms') as keyof typeof UNIT_MS];
  });
}

function isPublicUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash && !url.username;
}

export interface Config {
  port: number;
  host: string | undefined;
  databaseUrl: string | undefined;
  /** Connections per process to PostgreSQL (plus one that listens for invalidations). */
  databasePoolSize: number;
  dataDir: string;
  bcryptCost: number;
  logLevel: z.infer<typeof LogLevel>;
  /** Express `trust proxy` setting: false, a hop count, or a list of addresses/subnets (never `true`: see parseTrustProxy). */
  trustProxy: false | number | string[];
  /** Application permissions added to the built-ins (`resource:action`). */
  extraPermissions: string[];
  bootstrapAdminKey: string | undefined;
  /** Encrypts the private signing keys at rest (AES-256-GCM); without it they are stored in plain (docs/security.md). */
  signingKeySecret: string | undefined;
  workers: number;
  authFailureLimit: number;
  /** Sign-ins started (GET /auth/login) per minute per client address. */
  signInRateLimit: number;
  principalCacheTtlMs: number;
  shutdownTimeoutMs: number;
  /**
   * Where users and identity providers reach keyscope (https://keyscope.example.com), without a
   * trailing slash. Sign-in (DESIGN §10) builds its redirect URI from it, and marks its cookies
   * Secure when it is https.
   */
  publicUrl: string | undefined;
  /** A second listener serving only /metrics, without authentication, for Prometheus; undefined: none. */
  metricsPort: number | undefined;
  /** Where that listener binds: loopback unless said otherwise, since it asks for no key. */
  metricsHost: string;
  /** A sign-in session ends after this long without a request (DESIGN §10). */
  sessionIdleTimeoutMs: number;
  /** ... and this long after the sign-in, whatever happens. */
  sessionMaxLifetimeMs: number;
  /** Webhooks (issue 14, docs/signals.md#webhooks). */
  webhooks: {
    /** WEBHOOK_ALLOW_PRIVATE_TARGETS: deliver to loopback, private and link-local addresses too. */
    allowPrivateTargets: boolean;
    /** One delivery request's deadline. */
    timeoutMs: number;
    /** Delays after the first failures (default 1 s, 5 s, 30 s), then doubling up to maxDelayMs. */
    retrySchedule: number[];
    maxDelayMs: number;
    /** A delivery still failing this long after its event is marked failed (default 24 hours). */
    giveUpAfterMs: number;
  };
  /** How often each process looks for keys to announce as expiring or expired. */
  expiryScanMs: number;
}

export class ConfigError extends Error {}

const PERMISSION = /^[a-z][a-z0-9_-]*:[a-z][a-z0-9_-]*$/;

function parseTrustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '' || raw === 'false') return false;
  // Express's `true` takes the leftmost X-Forwarded-For entry, which behind a load balancer that
  // appends (as they all do) is whatever the client wrote: every client would choose its own address.
  if (raw === 'true') {
    throw new ConfigError(
      'TRUST_PROXY=true would let any client choose its own address (the leftmost X-Forwarded-For entry is written by the client); give the hop count of proxies in front of keyscope (1 for one load balancer) or their addresses',
    );
  }
  if (/^\d+$/.test(raw)) return Number(raw);
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Express checks the addresses when the setting is set, which would be after the database is
  // migrated: the same check here, so a typo stops the process before anything is touched.
  try {
    express().set('trust proxy', list);
  } catch (error) {
    throw new ConfigError(
      `TRUST_PROXY: ${error instanceof Error ? error.message : String(error)} (give a hop count, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal)`,
    );
  }
  return list;
}

/** KEYSCOPE_PERMISSIONS is either a comma list or the path of a file with one permission per line. */
function parsePermissions(raw: string | undefined): string[] {
  if (!raw) return [];
  let text = raw;
  if (!raw.includes(':') || raw.startsWith('/') || raw.startsWith('.')) {
    try {
      text = readFileSync(raw, 'utf8');
    } catch {
      throw new ConfigError(
        `KEYSCOPE_PERMISSIONS: cannot read file "${raw}" (give a comma list such as "projects:read,projects:write" or a file path)`,
      );
    }
  }
  const names = text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .join(',')
    .split(/[\s,]+/)
    .filter(Boolean);
  const bad = names.filter((n) => !PERMISSION.test(n));
  if (bad.length) {
    throw new ConfigError(
      `KEYSCOPE_PERMISSIONS: "${bad.join('", "')}" is not of the form resource:action (lower case, e.g. projects:write)`,
    );
  }
  return [...new Set(names)];
}

/**
 * Settings that are valid alone but wrong together: logged at start as warnings, since keyscope
 * still works (this is how every deployment looked before PUBLIC_URL existed).
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.publicUrl?.startsWith('https:') && config.trustProxy === false) {
    warnings.push(
      'PUBLIC_URL is https but TRUST_PROXY is not set: keyscope cannot see that requests came over https (SCIM locations will say http://, no Strict-Transport-Security) nor the client addresses; set TRUST_PROXY to the proxies in front of keyscope (1 for one)',
    );
  }
  return warnings;
}

/** Parses the environment once at start; a bad value stops the process with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const blankAsMissing = Object.fromEntries(
    Object.keys(EnvSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const parsed = EnvSchema.safeParse(blankAsMissing);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.WORKERS > 1 && !e.DATABASE_URL) {
    throw new ConfigError(
      `WORKERS=${e.WORKERS} needs DATABASE_URL: the embedded database (PGlite) belongs to one process. Set DATABASE_URL to a PostgreSQL server, or use WORKERS=1.`,
    );
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError(
      `METRICS_PORT=${e.METRICS_PORT} is also PORT: the metrics listener needs a port of its own (or leave METRICS_PORT unset)`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    bcryptCost: e.BCRYPT_COST,
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    extraPermissions: parsePermissions(e.KEYSCOPE_PERMISSIONS),
    bootstrapAdminKey: e.BOOTSTRAP_ADMIN_KEY,
    signingKeySecret: e.SIGNING_KEY_SECRET,
    workers: e.WORKERS,
    authFailureLimit: e.AUTH_FAILURE_LIMIT,
    signInRateLimit: e.SIGNIN_RATE_LIMIT,
    principalCacheTtlMs: e.PRINCIPAL_CACHE_TTL_SECONDS * 1000,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    publicUrl: e.PUBLIC_URL,
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
    // An idle timeout longer than the lifetime could never apply: the lifetime bounds it.
    sessionIdleTimeoutMs: Math.min(e.SESSION_IDLE_TIMEOUT_SECONDS, e.SESSION_MAX_LIFETIME_SECONDS) * 1000,
    sessionMaxLifetimeMs: e.SESSION_MAX_LIFETIME_SECONDS * 1000,
    webhooks: {
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retrySchedule: parseDelays(e.WEBHOOK_RETRY_SCHEDULE),
      maxDelayMs: e.WEBHOOK_RETRY_MAX_DELAY_SECONDS * 1000,
      giveUpAfterMs: e.WEBHOOK_GIVE_UP_AFTER_SECONDS * 1000,
    },
    expiryScanMs: e.KEY_EXPIRY_SCAN_SECONDS * 1000,
  };
}
