import { auditedBy, recordAudit } from '../audit/audit-service.js';
import type { Db, Queryable } from '../db/db.js';
import { tag, type UnitOfWork } from '../db/unit-of-work.js';
import { can } from '../principals/permissions.js';
import type { RequestContext } from '../principals/request-context.js';
import { userCatalogueWith, type ResourceCatalogue } from '../schema/catalogue.js';
import {
  extensionFromDocument,
  parseExtensionSchema,
  type ExtensionSchema,
  type ExtensionSchemaDocument,
} from '../schema/extension-schema.js';
import { scimSchemaErrors } from './scim-schemas-errors.js';
import {
  countUnregistered,
  deleteScimSchema,
  insertScimSchema,
  listScimSchemas,
  recordUnregistered,
  removeExtensionValues,
  type ScimSchemaRow,
} from './scim-schemas-store.js';

export interface ScimSchemasServiceDeps {
  db: Db;
  unitOfWork: UnitOfWork;
  now: () => Date;
  /** Counts attributes of unregistered extensions (the /metrics counter), by schema URN. */
  onUnregistered?: (schema: string, count: number) => void;
}

/** A registered schema as the admin API shows it. */
export interface RegisteredSchema {
  schema: ExtensionSchemaDocument;
  createdAt: string;
  createdBy: string | null;
}

interface OrgSchemas {
  schemas: ExtensionSchema[];
  catalogue: ResourceCatalogue;
  loadedAt: number;
}

// A safety net only: a registration or removal on any process evicts the organization's entry (NOTIFY).
const TTL_MS = 60_000;
// Names of unregistered attributes an organization's audit log records at most (a misconfigured or
// hostile client could otherwise write one audit entry per invented name); the counter keeps counting.
export const MAX_REPORTED_UNREGISTERED = 1000;
const MAX_REMEMBERED = 10_000;

/**
 * The extension schemas each organization registered for its users (RFC 7643 §7), and the User
 * catalogue they make: SCIM requests of the organization check, store, filter, sort and patch
 * those attributes. Cached per organization and kept true by change notifications (tag.scimSchemas).
 * Attributes of extensions nobody registered are accepted and dropped (RFC 7644 §3.3), never silently:
 * auditUnregistered and countAfterCommit audit each new name once per organization and count them.
 */
export class ScimSchemasService {
  private readonly cache = new Map<string, OrgSchemas | Promise<OrgSchemas>>();
  /** `<org>|<name>` already recorded in the database: later requests skip the round trip. */
  private readonly reported = new Set<string>();

  constructor(private readonly deps: ScimSchemasServiceDeps) {}

  /** The organization's User catalogue: built-in schemas plus its registered extensions. */
  async catalogue(orgId: string): Promise<ResourceCatalogue> {
    return (await this.load(orgId)).catalogue;
  }

  /** The registered extensions of the organization, as /Schemas and /ResourceTypes list them. */
  async registered(orgId: string): Promise<ExtensionSchema[]> {
    return (await this.load(orgId)).schemas;
  }

  /** Change notifications: an organization's registry changed (`*`: changes may have been missed). */
  hear(tags: string[]): void {
    for (const t of tags) {
      if (t === '*') this.cache.clear();
      else if (t.startsWith('sx:')) this.cache.delete(t.slice(3));
    }
  }

  private load(orgId: string): OrgSchemas | Promise<OrgSchemas> {
    const cached = this.cache.get(orgId);
    if (cached && (cached instanceof Promise || Date.now() - cached.loadedAt < TTL_MS)) return cached;
    const loading = listScimSchemas(this.deps.db, orgId).then(
      (rows) => {
        const schemas = rows.map((r) => extensionFromDocument(r.document));
        const entry: OrgSchemas = {
          schemas,
          catalogue: userCatalogueWith(schemas.map((s) => ({ id: s.id, attributes: s.attributes }))),
          loadedAt: Date.now(),
        };
        // Only if no notification evicted it meanwhile.
        if (this.cache.get(orgId) === loading) this.cache.set(orgId, entry);
        return entry;
      },
      (error: unknown) => {
        if (this.cache.get(orgId) === loading) this.cache.delete(orgId);
        throw error;
      },
    );
    this.cache.set(orgId, loading);
    return loading;
  }

  /** GET /api/v1/scim-schemas. */
  async list(ctx: RequestContext): Promise<{ items: RegisteredSchema[]; nextCursor: null }> {
    this.requireAdmin(ctx);
    const rows = await listScimSchemas(this.deps.db, ctx.orgId);
    return { items: rows.map(shown), nextCursor: null };
  }

  /** GET /api/v1/scim-schemas/:urn. */
  async get(ctx: RequestContext, urn: string): Promise<RegisteredSchema> {
    this.requireAdmin(ctx);
    const row = (await listScimSchemas(this.deps.db, ctx.orgId)).find((r) => r.urn.toLowerCase() === urn.toLowerCase());
    if (!row) throw scimSchemaErrors.notFound(urn);
    return shown(row);
  }

  /** POST /api/v1/scim-schemas: registers an extension of the User resource type. */
  async register(ctx: RequestContext, body: unknown): Promise<RegisteredSchema> {
    this.requireAdmin(ctx);
    const schema = parseExtensionSchema(body);
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const row = await insertScimSchema(tx, ctx.orgId, schema.document, ctx.actor.name, this.deps.now());
      if (!row) throw scimSchemaErrors.taken(schema.id);
      // tag.org: a rule's condition may name the extension's attributes (issue 13); every key re-evaluates.
      changed(tag.scimSchemas(ctx.orgId), tag.org(ctx.orgId));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'scim_schema.register',
        target: `scim_schema:${schema.id}`,
        details: { urn: schema.id, attributes: schema.document.attributes.map((a) => a.name) },
      });
      return shown(row);
    });
  }

  /**
   * DELETE /api/v1/scim-schemas/:urn: the extension leaves /Schemas and /ResourceTypes, and its values
   * are deleted from every user of the organization in the same transaction (each such user's version
   * moves on). Registering the URN again starts with no values.
   */
  async delete(ctx: RequestContext, urn: string): Promise<{ usersChanged: number }> {
    this.requireAdmin(ctx);
    return this.deps.unitOfWork.write(async (tx, changed) => {
      const row = await deleteScimSchema(tx, ctx.orgId, urn);
      if (!row) throw scimSchemaErrors.notFound(urn);
      const users = await removeExtensionValues(tx, ctx.orgId, row.urn, this.deps.now());
      // tag.org: a condition naming the extension holds for nobody now (it no longer compiles).
      changed(tag.scimSchemas(ctx.orgId), tag.org(ctx.orgId), ...users.map(tag.user));
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'scim_schema.delete',
        target: `scim_schema:${row.urn}`,
        details: { urn: row.urn, usersChanged: users.length },
      });
      return { usersChanged: users.length };
    });
  }

  /**
   * Attributes of unregistered extensions a SCIM request carried (`<schema URN>:<attribute>`), reported
   * in two halves around the user write they came with, so the report and the write stand or fall
   * together (DESIGN §9): `auditUnregistered` inside the write's transaction records each name new to
   * the organization once and audits it (`scim.unregistered_attribute`), across processes, up to
   * MAX_REPORTED_UNREGISTERED names; `countAfterCommit` after it commits counts them (/metrics) and
   * remembers what was recorded. A write that rolls back reports nothing.
   */
  async auditUnregistered(
    tx: Queryable,
    ctx: RequestContext,
    attributes: readonly UnregisteredAttribute[],
  ): Promise<UnregisteredReport> {
    const report: UnregisteredReport = { orgId: ctx.orgId, attributes, recorded: [] };
    if (!attributes.length) return report;
    // Names compare case-insensitively (RFC 7643 §2.1); the audit entry shows the first spelling seen.
    const spelled = new Map<string, string>();
    for (const a of attributes) {
      const name = `${a.schema}:${a.name}`;
      if (!spelled.has(name.toLowerCase())) spelled.set(name.toLowerCase(), name);
    }
    const names = [...spelled.keys()].filter((n) => !this.reported.has(`${ctx.orgId}|${n}`));
    if (!names.length) return report;
    report.recorded = names;
    const room = MAX_REPORTED_UNREGISTERED - (await countUnregistered(tx, ctx.orgId));
    if (room <= 0) return report;
    const fresh = await recordUnregistered(tx, ctx.orgId, names.slice(0, room), this.deps.now());
    for (const name of fresh) {
      await recordAudit(tx, {
        ...auditedBy(ctx),
        action: 'scim.unregistered_attribute',
        target: `scim_attribute:${spelled.get(name) ?? name}`,
        details: {
          attribute: spelled.get(name) ?? name,
          note: 'accepted and not stored: no extension schema with this URN is registered (POST /api/v1/scim-schemas)',
        },
      });
    }
    return report;
  }

  /**
   * Both halves in a transaction of their own: for SCIM Group bodies, whose write belongs to the groups
   * domain (which cannot call this one); reported when the body is read, before the group write.
   */
  async reportUnregistered(ctx: RequestContext, attributes: readonly UnregisteredAttribute[]): Promise<void> {
    if (!attributes.length) return;
    this.countAfterCommit(await this.deps.unitOfWork.write((tx) => this.auditUnregistered(tx, ctx, attributes)));
  }

  /** After the write committed: the /metrics counter, and the names now recorded in the database. */
  countAfterCommit(report: UnregisteredReport): void {
    const bySchema = new Map<string, number>();
    for (const a of report.attributes) bySchema.set(a.schema, (bySchema.get(a.schema) ?? 0) + 1);
    for (const [schema, n] of bySchema) this.deps.onUnregistered?.(schema, n);
    if (this.reported.size > MAX_REMEMBERED) this.reported.clear();
    for (const n of report.recorded) this.reported.add(`${report.orgId}|${n}`);
  }

  private requireAdmin(ctx: RequestContext): void {
    if (!can(ctx.principal.grant, 'org:admin')) throw scimSchemaErrors.needsAdmin();
  }
}

/** What auditUnregistered did in a transaction, for countAfterCommit once it commits. */
export interface UnregisteredReport {
  orgId: string;
  attributes: readonly UnregisteredAttribute[];
  /** Names recorded (or found recorded) in the database. */
  recorded: string[];
}

/** An attribute of an extension the organization has not registered (or not in its registered schema). */
export interface UnregisteredAttribute {
  schema: string;
  name: string;
}

function shown(row: ScimSchemaRow): RegisteredSchema {
  return {
    schema: row.document,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}
