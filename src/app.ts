import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { accessHotPath, accessRoutes } from './access/access-routes.js';
import { AccessService } from './access/access-service.js';
import { Authenticator } from './access/authenticator.js';
import { FailureLimiter } from './access/failure-limiter.js';
import { Invalidation } from './access/invalidation.js';
import { LastUsedRecorder } from './access/last-used.js';
import { PermissionCatalogue } from './principals/permission-catalogue.js';
import { permissionsRoutes } from './access/permissions-routes.js';
import { PrincipalCache } from './access/principal-cache.js';
import { type CachedSession, SessionAuthenticator } from './access/session-authenticator.js';
import type { UserSubject } from './access/resolver.js';
import { VerifiedTokens } from './access/verified-tokens.js';
import { auditRoutes } from './audit/audit-routes.js';
import { AuditService, recordAudit } from './audit/audit-service.js';
import { DeliveryWorker } from './events/delivery-worker.js';
import { webhooksRoutes } from './events/events-routes.js';
import { type SecretSealer, WebhooksService } from './events/events-service.js';
import type { Config } from './config.js';
import type { Db, Queryable } from './db/db.js';
import { UnitOfWork } from './db/unit-of-work.js';
import { groupsAdminRoutes } from './groups/groups-admin-routes.js';
import { GroupsAdminService } from './groups/groups-admin-service.js';
import { rolesRoutes } from './groups/roles-routes.js';
import { RolesService } from './groups/roles-service.js';
import { GroupsService } from './groups/groups-service.js';
import { authenticate, requirePermission } from './http/authenticate.js';
import { errorHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { hstsOverHttpsOnly } from './http/hsts.js';
import { HttpError } from './http/http-error.js';
import { jsonBody } from './http/json-body.js';
import { Metrics } from './http/metrics.js';
import { openApiDocument } from './openapi.js';
import { requestContext } from './http/request-context.js';
import { uiRoutes } from './http/ui-routes.js';
import { keysRoutes } from './keys/keys-routes.js';
import { KeysService } from './keys/keys-service.js';
import { orgsRoutes } from './orgs/orgs-routes.js';
import { lockKeyPolicy, organizationGrantPolicy, OrgsService, readKeyPolicy } from './orgs/orgs-service.js';
import { scimRouter } from './scim/scim-router.js';
import { sessionCookieName } from './principals/session-token.js';
import { authRoutes, ssoRoutes } from './sessions/sessions-routes.js';
import { SignInService } from './sessions/signin-service.js';
import { openWith, SigningKeys, sealWith } from './tokens/signing-keys.js';
import { globalTokenRevocationRoutes, signalSettingsRoutes, ssfRoutes } from './signals/signals-routes.js';
import { SignalsService } from './signals/signals-service.js';
import { signingKeysRoutes, tokenRoutes, wellKnownRoutes } from './tokens/tokens-routes.js';
import { TokensService } from './tokens/tokens-service.js';
import { usersAdminRoutes } from './users/users-admin-routes.js';
import { UsersService, userConditionProblem } from './users/users-service.js';
import { scimSchemasRoutes } from './users/scim-schemas-routes.js';
import { ScimSchemasService } from './users/scim-schemas-service.js';

export interface KeyscopeDeps {
  db: Db;
  config: Config;
  logger: Logger;
  /** The clock; tests move it to see keys expire. */
  now?: () => Date;
  /** Whether this process sends webhooks and scans for expiring keys (default true). */
  background?: boolean;
}

/** Everything one keyscope process holds: services, caches, and the Express app over them. */
export interface Keyscope {
  app: Express;
  db: Db;
  config: Config;
  logger: Logger;
  now: () => Date;
  cache: PrincipalCache;
  invalidation: Invalidation;
  authenticator: Authenticator;
  permissions: PermissionCatalogue;
  users: UsersService;
  scimSchemas: ScimSchemasService;
  groups: GroupsService;
  groupsAdmin: GroupsAdminService;
  roles: RolesService;
  keys: KeysService;
  orgs: OrgsService;
  audit: AuditService;
  access: AccessService;
  tokens: TokensService;
  sessions: SessionAuthenticator;
  signIn: SignInService;
  webhooks: WebhooksService;
  /** Sends the webhooks' outbox (started by createKeyscope unless `deliverWebhooks: false`). */
  deliveries: DeliveryWorker;
  /** Announces keys expiring and expired, every KEY_EXPIRY_SCAN_SECONDS. */
  expiryScan: { runNow(): Promise<number> };
  signals: SignalsService;
  metrics: Metrics;
  /** Stops listening for invalidations (the database is closed by its owner). */
  stop(): Promise<void>;
}

/** Wires one process. It never listens on a port: main.ts does, tests run the app in-process. */
export async function createKeyscope(deps: KeyscopeDeps): Promise<Keyscope> {
  const { db, config, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const cache = new PrincipalCache(config.principalCacheTtlMs);
  const verified = new VerifiedTokens();
  // Read at scrape time only, by when the authenticator below exists.
  const metrics = new Metrics(
    () => cache.stats,
    () => authenticator.bcryptComparisons,
  );
  const invalidation = new Invalidation(db, cache, verified, logger, (lagMs) =>
    metrics.pickupLag.observe(lagMs / 1000),
  );
  await invalidation.start();
  const unitOfWork = new UnitOfWork(db, (tags) => invalidation.evict(tags));
  const subjects = new PrincipalCache<UserSubject>(config.principalCacheTtlMs);
  invalidation.alsoEvict(subjects);
  const signingKeys = new SigningKeys({ db, unitOfWork, now, secret: config.signingKeySecret });
  invalidation.onChange((tags) => signingKeys.hear(tags));
  const permissions = new PermissionCatalogue(config.extraPermissions);
  const tokens = new TokensService({
    db,
    unitOfWork,
    signingKeys,
    now,
    publicUrl: config.publicUrl,
    vocabulary: permissions,
  });
  const authenticator = new Authenticator({
    db,
    cache,
    verified,
    limiter: new FailureLimiter(config.authFailureLimit, 60_000, () => now().getTime()),
    lastUsed: new LastUsedRecorder(db, logger, now),
    now,
    onFailure: (reason) => metrics.authFailures.inc({ reason }),
    signedTokens: tokens,
    subjects,
    vocabulary: permissions,
  });
  const sessionCache = new PrincipalCache<CachedSession>(config.principalCacheTtlMs);
  invalidation.alsoEvict(sessionCache);
  const sessions = new SessionAuthenticator({
    db,
    cache: sessionCache,
    now,
    idleTimeoutMs: config.sessionIdleTimeoutMs,
    logger,
    onFailure: (reason) => metrics.authFailures.inc({ reason }),
    vocabulary: permissions,
  });
  const signIn = new SignInService({
    db,
    unitOfWork,
    now,
    publicUrl: config.publicUrl,
    sealingSecret: config.signingKeySecret,
    sessionMaxLifetimeMs: config.sessionMaxLifetimeMs,
    onProblem: (message, details) => logger.warn(details, `sign-in: ${message}`),
  });
  const idpRoles = async (q: Queryable, orgId: string) => (await organizationGrantPolicy(q, orgId))?.idpRoles === true;
  const users = new UsersService({ db, unitOfWork, now, vocabulary: permissions, idpRoles });
  const scimSchemas = new ScimSchemasService({ db, unitOfWork, now, onUnregistered: metrics.countUnregistered });
  invalidation.onChange((tags) => scimSchemas.hear(tags));
  const groups = new GroupsService({ db, unitOfWork, now });
  const groupsAdmin = new GroupsAdminService({
    db,
    unitOfWork,
    permissions,
    now,
    conditionProblem: async (orgId, when) => userConditionProblem(when, await scimSchemas.catalogue(orgId)),
  });
  const roles = new RolesService({ db, unitOfWork, permissions, now });
  const keys = new KeysService({
    db,
    unitOfWork,
    permissions,
    policies: { lock: lockKeyPolicy, read: readKeyPolicy, idpRoles },
    bcryptCost: config.bcryptCost,
    now,
  });
  const orgs = new OrgsService({ db, unitOfWork, bcryptCost: config.bcryptCost, now });

  const signals = new SignalsService({
    db,
    unitOfWork,
    now,
    publicUrl: config.publicUrl,
    onOutcome: (source, outcome) => metrics.signals.inc({ source, outcome }),
  });
  const audit = new AuditService({ db });
  // Webhook secrets must be recoverable to sign: sealed like the identity provider's client secret.
  const sealer: SecretSealer = {
    seal: (plain, id) => sealWith(plain, id, config.signingKeySecret, 'webhooks/v1'),
    open: (sealed, id) => openWith(sealed, id, config.signingKeySecret, 'webhooks/v1'),
  };
  const webhooks = new WebhooksService({
    db,
    now,
    sealer,
    audit: recordAudit,
    allowPrivateTargets: config.webhooks.allowPrivateTargets,
  });
  const deliveries = new DeliveryWorker({
    db,
    logger,
    sealer,
    // Outbox rows are stamped with the wall clock when written (audit entries carry no clock), so
    // delivery runs on it too, whatever clock the services are given.
    now: () => new Date(),
    retry: {
      schedule: config.webhooks.retrySchedule,
      maxDelayMs: config.webhooks.maxDelayMs,
      giveUpAfterMs: config.webhooks.giveUpAfterMs,
    },
    timeoutMs: config.webhooks.timeoutMs,
    allowPrivateTargets: config.webhooks.allowPrivateTargets,
  });
  const expiryScan = periodic(config.expiryScanMs, () => keys.announceExpiry(), logger);
  if (deps.background !== false) {
    await deliveries.start();
    expiryScan.start();
  }
  const access = new AccessService({ authenticator, permissions, now });

  const parts = {
    db,
    config,
    logger,
    now,
    cache,
    invalidation,
    authenticator,
    permissions,
    users,
    scimSchemas,
    groups,
    groupsAdmin,
    roles,
    keys,
    orgs,
    audit,
    access,
    tokens,
    sessions,
    signIn,
    webhooks,
    deliveries,
    expiryScan,
    signals,
    metrics,
  };
  const stop = async () => {
    expiryScan.stop();
    await deliveries.stop();
    await invalidation.stop();
  };
  return { ...parts, app: buildApp(parts), stop };
}

/** A task every `everyMs` (unref'd: it never keeps the process up), one run at a time. */
function periodic(everyMs: number, task: () => Promise<number>, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const runNow = () => {
    running ??= task().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    runNow,
    start() {
      timer = setInterval(() => {
        runNow().catch((error: unknown) =>
          logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'key expiry scan failed'),
        );
      }, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

/** Cookies are Secure (and prefixed) when people reach keyscope over https (PUBLIC_URL). */
function secureCookies(config: Config): boolean {
  return config.publicUrl?.startsWith('https:') === true;
}

export function buildApp(k: Omit<Keyscope, 'app' | 'stop'>): Express {
  const app = express();
  app.disable('x-powered-by');
  // Entity tags are ours (SCIM meta.version); Express's would hash every body for nothing.
  app.set('etag', false);
  app.set('trust proxy', k.config.trustProxy);
  app.use(requestContext(k.logger, k.metrics.observe, { readsForwardedFor: k.config.trustProxy !== false }));
  // Without upgrade-insecure-requests: over plain HTTP on any host but localhost, the browser would
  // fetch the admin page's scripts and styles over https and show a blank page.
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      strictTransportSecurity: false,
    }),
  );
  // keyscope listens over plain HTTP: only a trusted proxy's X-Forwarded-Proto can make a request secure.
  if (k.config.trustProxy !== false) app.use(hstsOverHttpsOnly());
  app.use(accessHotPath(k.access, k.authenticator));
  // The admin and access API first: /api/v1/authorize is every service's hot path, and each layer
  // Express tries before it costs that request.
  const api = express.Router();
  const openApi = JSON.stringify(openApiDocument());
  api.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(openApi);
  });
  // RFC 8693: form-encoded, authenticated and answered the OAuth way, so before the admin API's own.
  api.use('/token', tokenRoutes(k.tokens, k.authenticator));
  // Okta Universal Logout: authenticated by the identity provider's signed JWT, not by a key.
  api.use('/global-token-revocation', globalTokenRevocationRoutes(k.signals));
  api.use(
    authenticate(k.authenticator, {
      signedTokenPaths: ['/me', '/authorize'],
      sessions: { authenticator: k.sessions, cookieName: sessionCookieName(secureCookies(k.config)) },
    }),
  );
  api.use(jsonBody());
  accessRoutes(api, k.access);
  api.use('/organizations/current/sso', ssoRoutes(k.signIn));
  api.use('/organizations/current/signals', signalSettingsRoutes(k.signals));
  api.use('/keys', keysRoutes(k.keys));
  api.use('/groups', groupsAdminRoutes(k.groupsAdmin));
  api.use('/roles', rolesRoutes(k.roles));
  api.use('/users', usersAdminRoutes(k.users));
  api.use('/scim-schemas', scimSchemasRoutes(k.scimSchemas));
  api.use('/organizations', orgsRoutes(k.orgs));
  api.use('/audit', auditRoutes(k.audit));
  api.use('/permissions', permissionsRoutes(k.access));
  api.use('/signing-keys', signingKeysRoutes(k.tokens));
  api.use('/webhooks', webhooksRoutes(k.webhooks));
  api.use((req) => {
    throw new HttpError(404, 'not_found', `No API endpoint at ${req.method} ${req.baseUrl}${req.path}`);
  });
  app.use('/api/v1', api, errorHandler(k.logger, 'problem'));

  healthRoutes(app, k.db);
  // On the public listener only with a key that may read them; METRICS_PORT serves them without one.
  app.get('/metrics', authenticate(k.authenticator), requirePermission('metrics:read'), async (_req, res) => {
    const { contentType, text } = await k.metrics.render();
    res.type(contentType).send(text);
  });

  app.use(
    '/scim/v2',
    scimRouter({
      authenticator: k.authenticator,
      users: k.users,
      scimSchemas: k.scimSchemas,
      groups: k.groups,
      permissions: k.permissions,
      roles: k.roles,
      logger: k.logger,
    }),
  );

  app.use('/.well-known', wellKnownRoutes(k.tokens));

  // Shared Signals push delivery (RFC 8935): authenticated by the transmitter's signed SET.
  app.use('/ssf/events', ssfRoutes(k.signals), errorHandler(k.logger, 'problem'));

  const startLimiter = new FailureLimiter(k.config.signInRateLimit, 60_000, () => k.now().getTime());
  app.use(
    '/auth',
    authRoutes(k.signIn, { secure: secureCookies(k.config), startLimiter }),
    errorHandler(k.logger, 'problem'),
  );

  app.use('/ui', uiRoutes());
  app.get('/', (_req, res) => res.redirect('/ui/'));

  app.use((req) => {
    throw new HttpError(404, 'not_found', `Nothing at ${req.method} ${req.path}`);
  });
  app.use(errorHandler(k.logger, 'problem'));
  return app;
}
