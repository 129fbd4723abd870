import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { restorePersonKeysAfterSignal, suspendPersonKeysForSignal } from '../keys/keys-service.js';
import { organizationName } from '../orgs/orgs-service.js';
import type { Actor } from '../principals/actor.js';
import type { SignalSuspensionReason } from '../principals/key-status.js';
import { isOrgAdmin } from '../principals/principal.js';
import type { RequestContext } from '../principals/request-context.js';
import { endPersonSessions } from '../sessions/sessions-service.js';
import { userById, usersForSignIn } from '../users/users-service.js';
import { signalErrors } from './signals-errors.js';
import {
  findSignalSettings,
  findSignalSettingsByLogoutIssuer,
  insertSignalReceipt,
  logoutIssuerTaken,
  upsertSignalSettings,
} from './signals-store.js';
import {
  Jwks,
  type KeySource,
  type PutSignalsInput,
  type RefusalCode,
  SET_EVENTS,
  SIGNAL_ALGORITHMS,
  type SignalEffect,
  type SignalOutcome,
  type SignalSettings,
  type SignalSettingsRow,
  type SignalSource,
  type SubjectId,
} from './signals.js';

export interface SignalsServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
  /** PUBLIC_URL: what a signal's `aud` must name (else the address the request came to). */
  publicUrl: string | undefined;
  /** How long a JWKS fetch may take (default 5 s). */
  jwksTimeoutMs?: number;
  /** Told every signal's outcome (`accepted`, or the refusal's code): the metric. */
  onOutcome?: (source: SignalSource, outcome: string) => void;
}

/** A signal as it arrived: the token, and the address it was sent to (for `aud` without PUBLIC_URL). */
export interface IncomingSignal {
  token: string | undefined;
  /** `<protocol>://<host>` of the request. */
  base: string;
  requestId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A signal's clock may be this far off ours. */
const CLOCK_TOLERANCE_S = 60;
/**
 * Refusals audited per organization and minute, per process: anyone may post junk to an
 * organization's endpoint, and must not fill its audit log. Beyond it the metric still counts them.
 */
const REFUSAL_AUDITS_PER_MINUTE = 60;
/** Remote key sets kept (each a cached JWKS); past this the cache starts afresh. */
const MAX_REMOTE_SETS = 500;
export const UNIVERSAL_LOGOUT_PATH = '/api/v1/global-token-revocation';
export const SSF_PATH = '/ssf/events';

const ACTORS: Record<SignalSource, Actor> = {
  universal_logout: { id: 'idp:universal_logout', name: 'Universal Logout' },
  ssf: { id: 'idp:ssf', name: 'Shared Signals' },
};

class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a verified signal asks for, before it is matched to a person. */
interface VerifiedSignal {
  orgId: string;
  settings: SignalSettingsRow;
  issuer: string;
  jti: string;
  eventType: string | null;
  effect: SignalEffect;
  subject: SubjectId | null;
}

/** What the audit entry of a signal says (never the token itself). */
interface AuditFacts {
  issuer?: string;
  jti?: string;
  eventType?: string;
  subject?: Record<string, string>;
}

/**
 * Signals in (issue 14, DESIGN §11): Okta Universal Logout and Shared Signals push delivery. A
 * signal is a JWT signed by a key the organization configured (asymmetric algorithms only, issuer,
 * audience, expiry and jti checked with jose); it names a person by an RFC 9493 subject identifier;
 * its effect (sessions ended, personal keys suspended or restored) is written with its jti and its
 * audit entries in one transaction, so a replay has no second effect and every process evicts the
 * keys within a second (the change tags of the keys and sessions).
 */
export class SignalsService {
  private readonly remoteSets = new Map<string, JWTVerifyGetKey>();
  private readonly refusalAudits = new Map<string, { minute: number; count: number }>();

  constructor(private readonly deps: SignalsServiceDeps) {}

  // ---- the organization's settings (org:admin) ----

  async getSettings(ctx: RequestContext): Promise<SignalSettings> {
    if (!isOrgAdmin(ctx.principal)) throw signalErrors.needsAdmin();
    return settingsOf(await findSignalSettings(this.deps.db, ctx.orgId));
  }

  /** Saves the settings after reading every JWKS URL once, so a typo is a 400 now rather than refused signals later. */
  async putSettings(ctx: RequestContext, input: PutSignalsInput): Promise<SignalSettings> {
    if (!isOrgAdmin(ctx.principal)) throw signalErrors.needsAdmin();
    const sources: [string, KeySource][] = input.transmitters.map((t, i) => [`transmitters.${i}.jwksUri`, t]);
    if (input.universalLogout) sources.push(['universalLogout.jwksUri', input.universalLogout]);
    for (const [field, source] of sources) if (source.jwksUri) await this.checkJwksUri(field, source.jwksUri);
    const at = this.deps.now();
    const row = await this.deps.unitOfWork.write(async (tx) => {
      if (input.universalLogout && (await logoutIssuerTaken(tx, ctx.orgId, input.universalLogout.issuer)))
        throw signalErrors.issuerTaken();
      const saved = await upsertSignalSettings(
        tx,
        {
          orgId: ctx.orgId,
          transmitters: input.transmitters,
          universalLogout: input.universalLogout,
          onSignal: input.onSignal,
        },
        at,
      );
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'signals.update',
        target: `org:${ctx.orgId}`,
        details: {
          transmitters: input.transmitters.map((t) => t.issuer),
          universalLogout: input.universalLogout?.issuer ?? null,
          onSignal: input.onSignal,
        },
      });
      return saved;
    });
    return settingsOf(row);
  }

  // ---- Okta Universal Logout (Global Token Revocation) ----

  /**
   * POST /api/v1/global-token-revocation: the bearer token is a JWT from the identity provider; its
   * issuer names the organization (the one whose universalLogout.issuer it is); the body names the
   * person (`sub_id`, RFC 9493 `email` or `iss_sub`). Refusals before the organization is known
   * cannot be audited in any organization's log.
   */
  async universalLogout(incoming: IncomingSignal, body: unknown): Promise<SignalOutcome> {
    let facts: AuditFacts = {};
    let orgId: string | undefined;
    try {
      const token = requireToken(incoming.token);
      const claimedIssuer = unverifiedIssuer(token);
      facts = { issuer: claimedIssuer };
      const settings = claimedIssuer ? await findSignalSettingsByLogoutIssuer(this.deps.db, claimedIssuer) : undefined;
      if (!settings?.universal_logout)
        throw new Refused('unknown_issuer', 'No organization receives Universal Logout from this issuer');
      orgId = settings.org_id;
      const payload = await this.verify(token, settings.universal_logout, {
        audiences: this.audiences(incoming.base, UNIVERSAL_LOGOUT_PATH),
        required: ['iss', 'aud', 'jti', 'iat', 'exp'],
      });
      // A Security Event Token of the same issuer is not a logout request (RFC 8417 §2.3).
      if (/secevent\+jwt$/i.test(decodeProtectedHeader(token).typ ?? ''))
        throw new Refused('invalid_token', 'A Security Event Token is not a Universal Logout request');
      const jti = String(payload.jti);
      facts.jti = jti;
      const subId = isObject(body) ? body.sub_id : undefined;
      if (!isObject(body) || subId === undefined)
        throw new Refused('malformed', 'The body must be a JSON object with sub_id (an RFC 9493 subject identifier)');
      const subject = subjectOf(subId, ['email', 'iss_sub']);
      facts.subject = describeSubject(subject);
      return await this.apply(
        'universal_logout',
        { orgId, settings, issuer: settings.universal_logout.issuer, jti, eventType: null, effect: 'suspend', subject },
        facts,
        incoming.requestId,
      );
    } catch (error) {
      return this.refused('universal_logout', orgId, facts, error, incoming.requestId);
    }
  }

  // ---- Shared Signals push delivery (RFC 8935) ----

  /**
   * POST /ssf/events/:orgId: one Security Event Token (RFC 8417) from a transmitter configured for
   * the organization, whose `aud` names keyscope; one event (SSF 1.0), its subject in `sub_id` or in
   * the event's `subject`.
   */
  async receiveSet(orgId: string, incoming: IncomingSignal, contentType: string | undefined): Promise<SignalOutcome> {
    let facts: AuditFacts = {};
    let knownOrg: string | undefined;
    try {
      // An unknown organization and one without transmitters answer alike (no organization is confirmed).
      const settings = UUID.test(orgId) ? await findSignalSettings(this.deps.db, orgId) : undefined;
      if (UUID.test(orgId) && (await organizationName(this.deps.db, orgId)) !== undefined) knownOrg = orgId;
      const token = requireToken(incoming.token, 'malformed');
      if (!/^application\/secevent\+jwt\s*(;|$)/i.test(contentType ?? ''))
        throw new Refused('malformed', 'A Security Event Token is sent as Content-Type: application/secevent+jwt');
      const claimedIssuer = unverifiedIssuer(token, 'malformed');
      facts = { issuer: claimedIssuer };
      const transmitter = settings?.transmitters.find((t) => t.issuer === claimedIssuer);
      if (!settings || !transmitter)
        throw new Refused('unknown_issuer', 'This issuer is not a transmitter configured for this organization');
      const payload = await this.verify(token, transmitter, {
        audiences: this.audiences(incoming.base, `${SSF_PATH}/${orgId}`),
        required: ['iss', 'aud', 'jti', 'iat'],
      });
      const { typ } = decodeProtectedHeader(token);
      // RFC 8417 §2.3: explicit typing keeps other JWTs (an ID token, a logout token) from passing as a SET.
      if (typ !== undefined && !/^(application\/)?secevent\+jwt$/i.test(typ))
        throw new Refused('malformed', `The token's typ is ${typ.slice(0, 50)}, not secevent+jwt`);
      const jti = String(payload.jti);
      facts.jti = jti;
      const events = payload.events;
      if (!isObject(events) || Object.keys(events).length !== 1)
        throw new Refused('malformed', 'The events claim must hold exactly one event (SSF 1.0)');
      const [eventType, event] = Object.entries(events)[0]!;
      facts.eventType = eventType.slice(0, 500);
      const effect = Object.hasOwn(SET_EVENTS, eventType)
        ? (SET_EVENTS as Record<string, SignalEffect>)[eventType]
        : undefined;
      if (!effect)
        throw new Refused('unsupported_event', `Event type ${eventType.slice(0, 200)} is not one keyscope acts on`);
      let subject: SubjectId | null = null;
      if (effect !== 'none') {
        const raw = payload.sub_id ?? (isObject(event) ? event.subject : undefined);
        if (raw === undefined)
          throw new Refused('malformed', 'The SET names no subject (sub_id, or the event’s subject)');
        subject = subjectOf(raw, ['email', 'iss_sub', 'opaque']);
        facts.subject = describeSubject(subject);
      }
      return await this.apply(
        'ssf',
        { orgId, settings, issuer: transmitter.issuer, jti, eventType, effect, subject },
        facts,
        incoming.requestId,
      );
    } catch (error) {
      return this.refused('ssf', knownOrg, facts, error, incoming.requestId);
    }
  }

  // ---- shared ----

  /** Matches the subject, then writes the effect, the jti and the audit entries in one transaction. */
  private async apply(
    source: SignalSource,
    signal: VerifiedSignal,
    facts: AuditFacts,
    requestId: string | undefined,
  ): Promise<SignalOutcome> {
    const userId = signal.subject ? await this.matchUser(signal.orgId, signal.subject) : null;
    const at = this.deps.now();
    const reason: SignalSuspensionReason = source === 'universal_logout' ? 'idp_logout' : 'idp_signal';
    const actor = ACTORS[source];
    this.deps.onOutcome?.(source, 'accepted');
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const fresh =
        signal.effect === 'none' ||
        (await insertSignalReceipt(tx, {
          orgId: signal.orgId,
          issuer: signal.issuer,
          jti: signal.jti,
          source,
          eventTypes: signal.eventType ? [signal.eventType] : [],
          userId,
          at,
        }));
      const done = { suspended: [] as string[], restored: [] as string[], sessionsEnded: 0 };
      if (fresh && userId) {
        const ctx = { orgId: signal.orgId, actor, requestId, at };
        if (signal.effect === 'suspend') {
          done.sessionsEnded = await endPersonSessions(tx, changed, signal.orgId, userId, at, reason);
          if (signal.settings.on_signal === 'suspend_keys')
            done.suspended = await suspendPersonKeysForSignal(tx, changed, ctx, userId, reason);
        } else if (signal.effect === 'restore') {
          done.restored = await restorePersonKeysAfterSignal(tx, changed, ctx, userId);
        }
      }
      await this.audit(tx, signal.orgId, source, requestId, userId, {
        accepted: true,
        ...facts,
        ...(fresh ? {} : { duplicate: true }),
        keysSuspended: done.suspended.length,
        keysRestored: done.restored.length,
        sessionsEnded: done.sessionsEnded,
      });
      return { accepted: true as const, duplicate: !fresh, ...done };
    });
  }

  private async refused(
    source: SignalSource,
    orgId: string | undefined,
    facts: AuditFacts,
    error: unknown,
    requestId: string | undefined,
  ): Promise<SignalOutcome> {
    if (!(error instanceof Refused)) throw error;
    this.deps.onOutcome?.(source, error.code);
    if (orgId && this.mayAuditRefusal(orgId)) {
      await this.audit(this.deps.db, orgId, source, requestId, null, {
        accepted: false,
        error: error.code,
        description: error.message,
        ...facts,
      });
    }
    return { accepted: false, code: error.code, description: error.message };
  }

  private mayAuditRefusal(orgId: string): boolean {
    const minute = Math.floor(this.deps.now().getTime() / 60_000);
    const seen = this.refusalAudits.get(orgId);
    if (!seen || seen.minute !== minute) {
      if (this.refusalAudits.size > 10_000) this.refusalAudits.clear();
      this.refusalAudits.set(orgId, { minute, count: 1 });
      return true;
    }
    seen.count++;
    return seen.count <= REFUSAL_AUDITS_PER_MINUTE;
  }

  private async audit(
    q: Queryable,
    orgId: string,
    source: SignalSource,
    requestId: string | undefined,
    userId: string | null,
    details: Record<string, unknown>,
  ): Promise<void> {
    await recordAudit(q, {
      orgId,
      actor: ACTORS[source],
      requestId,
      action: 'signal.received',
      target: userId ? `user:${userId}` : undefined,
      // What a sender wrote goes into jsonb, which cannot hold U+0000.
      details: withoutNul({ source, ...details }) as Record<string, unknown>,
    });
  }

  /**
   * The provisioned user a subject names (document: docs/signals.md). email: a user whose emails hold
   * it, else whose userName is it; iss_sub: the user whose externalId is `sub` (what Okta and Entra
   * provision as externalId); opaque: the user with that id, else that externalId.
   */
  private async matchUser(orgId: string, subject: SubjectId): Promise<string> {
    const db = this.deps.db;
    let found: { id: string }[] = [];
    if (subject.format === 'email') {
      found = await usersForSignIn(db, orgId, 'emails', subject.email);
      if (!found.length) found = await usersForSignIn(db, orgId, 'userName', subject.email);
    } else if (subject.format === 'iss_sub') {
      found = await usersForSignIn(db, orgId, 'externalId', subject.sub);
    } else {
      const byId = UUID.test(subject.id) ? await userById(db, orgId, subject.id) : undefined;
      found = byId ? [byId] : await usersForSignIn(db, orgId, 'externalId', subject.id);
    }
    if (found.length > 1)
      throw new Refused('ambiguous_subject', 'The subject matches more than one provisioned user; nothing was done');
    if (!found.length) throw new Refused('unknown_subject', 'The subject matches no provisioned user');
    return found[0]!.id;
  }

  private audiences(base: string, path: string): string[] {
    const root = (this.deps.publicUrl ?? base).replace(/\/+$/, '');
    return [root, `${root}${path}`];
  }

  /** The signature (asymmetric algorithms only), issuer, audience and times of a signal, with jose. */
  private async verify(
    token: string,
    source: KeySource,
    options: { audiences: string[]; required: string[] },
  ): Promise<JWTPayload> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new Refused('invalid_token', 'The token is not a JWS');
    }
    if (typeof alg !== 'string' || !SIGNAL_ALGORITHMS.includes(alg))
      throw new Refused(
        'invalid_token',
        `Algorithm ${String(alg)} is not accepted: signals are signed with a public key`,
      );
    const keys = source.jwks ? createLocalJWKSet(source.jwks) : this.remoteSet(source.jwksUri!);
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: source.issuer,
        audience: options.audiences,
        algorithms: SIGNAL_ALGORITHMS,
        requiredClaims: options.required,
        currentDate: this.deps.now(),
        clockTolerance: CLOCK_TOLERANCE_S,
      });
      if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 500 || payload.jti.includes('\u0000'))
        throw new Refused('invalid_claims', 'The token needs a jti (a string of at most 500 characters)');
      return payload;
    } catch (error) {
      if (error instanceof Refused) throw error;
      throw refusalOf(error, source.jwksUri !== undefined);
    }
  }

  private remoteSet(uri: string): JWTVerifyGetKey {
    let set = this.remoteSets.get(uri);
    if (!set) {
      if (this.remoteSets.size >= MAX_REMOTE_SETS) this.remoteSets.clear();
      set = createRemoteJWKSet(new URL(uri), {
        timeoutDuration: this.deps.jwksTimeoutMs ?? 5000,
        cooldownDuration: 30_000,
        cacheMaxAge: 10 * 60_000,
      });
      this.remoteSets.set(uri, set);
    }
    return set;
  }

  private async checkJwksUri(field: string, uri: string): Promise<void> {
    let body: unknown;
    try {
      const res = await fetch(uri, {
        signal: AbortSignal.timeout(this.deps.jwksTimeoutMs ?? 5000),
        headers: { accept: 'application/json' },
        redirect: 'error',
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
    } catch (error) {
      throw signalErrors.jwksUnreachable(field, error instanceof Error ? error.message : String(error));
    }
    const parsed = Jwks.safeParse(body);
    if (!parsed.success)
      throw signalErrors.jwksUnreachable(
        field,
        `not a JWKS of public keys: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`).join('; ')}`,
      );
  }
}

function settingsOf(row: SignalSettingsRow | undefined): SignalSettings {
  return {
    transmitters: row?.transmitters ?? [],
    universalLogout: row?.universal_logout ?? null,
    onSignal: row?.on_signal ?? 'suspend_keys',
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireToken(token: string | undefined, code: RefusalCode = 'invalid_token'): string {
  if (!token || token.length > 16_384) throw new Refused(code, 'A signed JWT is required');
  return token;
}

/** The issuer a token claims, read before its signature is checked: only to find whose keys check it. */
function unverifiedIssuer(token: string, code: RefusalCode = 'invalid_token'): string {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw new Refused(code, 'The token is not a JWT');
  }
  if (typeof iss !== 'string' || !iss) throw new Refused(code, 'The token names no issuer (iss)');
  if (iss.includes('\u0000')) throw new Refused(code, 'The token’s issuer holds a NUL character');
  return iss.slice(0, 500);
}

/** An RFC 9493 subject identifier, of the formats this endpoint takes; `complex` by its `user` member. */
function subjectOf(value: unknown, formats: SubjectId['format'][]): SubjectId {
  if (!isObject(value) || typeof value.format !== 'string')
    throw new Refused('malformed', 'The subject must be an object with a format (RFC 9493)');
  if (value.format === 'complex' && isObject(value.user) && formats.includes('opaque'))
    return subjectOf(value.user, formats);
  const format = value.format as SubjectId['format'];
  if (!formats.includes(format))
    throw new Refused(
      'unsupported_format',
      `Subject format ${value.format.slice(0, 50)} is not supported here (use ${formats.join(', ')})`,
    );
  const text = (name: string): string => {
    const v = value[name];
    if (typeof v !== 'string' || !v || v.length > 500 || v.includes('\u0000'))
      throw new Refused('malformed', `A subject of format ${format} needs ${name} (a string)`);
    return v;
  };
  if (format === 'email') return { format, email: text('email') };
  if (format === 'iss_sub') return { format, iss: text('iss'), sub: text('sub') };
  return { format, id: text('id') };
}

function describeSubject(subject: SubjectId): Record<string, string> {
  return { ...subject };
}

/** jose's errors, as the refusal each is. */
function refusalOf(error: unknown, remote: boolean): Refused {
  const code = (error as { code?: string }).code;
  const claim = (error as { claim?: string }).claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new Refused('invalid_claims', 'The token has expired');
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'aud') return new Refused('wrong_audience', 'The token’s aud does not name this keyscope');
      if (claim === 'iss') return new Refused('unknown_issuer', 'The token’s issuer is not the one configured');
      return new Refused('invalid_claims', `The token’s ${claim ?? 'claims'} failed validation`);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new Refused('invalid_token', 'The token’s signature does not verify with the configured keys');
    default:
      return remote
        ? new Refused('keys_unavailable', 'The issuer’s keys (JWKS) could not be fetched; retry later')
        : new Refused('invalid_token', 'The token could not be verified with the configured keys');
  }
}

/** A value with every U+0000 in its strings (and keys) replaced, for jsonb. */
function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD');
  if (Array.isArray(value)) return value.map(withoutNul);
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', '\uFFFD'), withoutNul(v)]));
  return value;
}
