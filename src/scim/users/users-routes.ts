import { Router, type Request, type Response } from 'express';
import { contextOf } from '../../http/authenticate.js';
import { notFound } from '../../http/http-error.js';
import type { UsersService } from '../../users/users-service.js';
import type { Queryable } from '../../db/db.js';
import type {
  ScimSchemasService,
  UnregisteredAttribute,
  UnregisteredReport,
} from '../../users/scim-schemas-service.js';
import type { UserRecord } from '../../users/users.js';
import { listParams, readListParams, readSearchRequest, type ListParams } from '../list-params.js';
import { listResponse } from '../list-response.js';
import type { ResourceCatalogue } from '../../schema/catalogue.js';
import { includes, parseProjection, projectUser, type Projection } from '../attributes/projection.js';
import { ifMatch, notModified, prefersMinimal, scimBaseUrl, sendScim } from '../scim-http.js';
import { scimUser, userDocument, userFieldsFromDocument, userFieldsFromScim, userVersion } from './user-document.js';
import { patchUserDocument } from './user-patch.js';

/**
 * /Users (RFC 7644 §3): thin HTTP over UsersService. Every request works with its organization's
 * User catalogue: the built-in schemas and the extensions it registered (ScimSchemasService).
 */
export function usersRoutes(users: UsersService, scimSchemas: ScimSchemasService): Router {
  const router = Router({ caseSensitive: false });
  const catalogueOf = (req: Request) => scimSchemas.catalogue(contextOf(req).orgId);

  const render = (req: Request, cat: ResourceCatalogue, user: UserRecord, projection: Projection) =>
    projectUser(scimUser(user, scimBaseUrl(req), cat), cat, projection);

  /**
   * Collects attributes of unregistered extensions (RFC 7644 §3.3): `inWrite` audits them in the user
   * write's transaction, `afterCommit` counts them once it committed; a write that fails reports nothing.
   */
  function unregisteredOf(req: Request) {
    const found: UnregisteredAttribute[] = [];
    let report: UnregisteredReport | undefined;
    return {
      sink: (a: UnregisteredAttribute) => {
        found.push(a);
      },
      inWrite: async (tx: Queryable) => {
        report = await scimSchemas.auditUnregistered(tx, contextOf(req), found);
      },
      afterCommit: () => {
        if (report) scimSchemas.countAfterCommit(report);
      },
    };
  }

  function respond(
    req: Request,
    res: Response,
    cat: ResourceCatalogue,
    status: number,
    user: UserRecord,
    projection: Projection,
  ): void {
    sendScim(res, status, render(req, cat, user, projection), {
      ETag: userVersion(user),
      ...(status === 201 ? { Location: `${scimBaseUrl(req)}/Users/${user.id}` } : {}),
    });
  }

  /** After a write: the user as written, with its groups when the response includes them. */
  async function respondWritten(
    req: Request,
    res: Response,
    cat: ResourceCatalogue,
    status: number,
    written: UserRecord,
  ): Promise<void> {
    const projection = parseProjection(cat, req.query);
    const withGroups = includes(projection, 'groups');
    const user = withGroups ? ((await users.get(contextOf(req), written.id, { withGroups })) ?? written) : written;
    respond(req, res, cat, status, user, projection);
  }

  async function list(req: Request, res: Response, cat: ResourceCatalogue, params: ListParams): Promise<void> {
    const { rows, total } = await users.list(contextOf(req), {
      filter: params.filter,
      sort: params.sort,
      window: params.window,
      withGroups: includes(params.projection, 'groups'),
      catalogue: cat,
    });
    sendScim(
      res,
      200,
      listResponse(params, rows, total, (u) => render(req, cat, u, params.projection)),
    );
  }

  router.get('/', async (req, res) => {
    const cat = await catalogueOf(req);
    await list(req, res, cat, readListParams(req.query, cat));
  });

  // RFC 7644 §3.4.3: the same query, its parameters in a SearchRequest body.
  router.post('/.search', async (req, res) => {
    const cat = await catalogueOf(req);
    await list(req, res, cat, listParams(readSearchRequest(req.body), cat.resourceType, cat));
  });

  router.get('/:id', async (req, res) => {
    const id = String(req.params.id);
    const cat = await catalogueOf(req);
    const projection = parseProjection(cat, req.query);
    const user = await users.get(contextOf(req), id, { withGroups: includes(projection, 'groups') });
    if (!user) throw notFound(`User ${id} not found`);
    if (notModified(req, user.version)) {
      res.status(304).setHeader('ETag', userVersion(user)).end();
      return;
    }
    respond(req, res, cat, 200, user, projection);
  });

  router.post('/', async (req, res) => {
    const cat = await catalogueOf(req);
    const unregistered = unregisteredOf(req);
    const body = userFieldsFromScim(req.body, cat, unregistered.sink);
    // A new user without `active` is active: the service provider's default (RFC 7644 §3.3).
    const created = await users.create(
      contextOf(req),
      { ...body, active: body.active === undefined ? true : body.active },
      unregistered.inWrite,
    );
    unregistered.afterCommit();
    respond(req, res, cat, 201, { ...created, groups: [] }, parseProjection(cat, req.query));
  });

  // RFC 7644 §3.5.1: a readWrite attribute the body omits "MAY be assumed to be not asserted by the
  // client": a PUT without `active` leaves it as it is, so it never reactivates a deactivated user.
  router.put('/:id', async (req, res) => {
    const cat = await catalogueOf(req);
    const unregistered = unregisteredOf(req);
    const body = userFieldsFromScim(req.body, cat, unregistered.sink);
    const { user } = await users.modify(
      contextOf(req),
      String(req.params.id),
      async (current) => ({ ...body, active: body.active === undefined ? current.active : body.active }),
      ifMatch(req),
      unregistered.inWrite,
    );
    unregistered.afterCommit();
    await respondWritten(req, res, cat, 200, user);
  });

  // RFC 7644 §3.5.2: 200 with the resource, or 204 when the client prefers return=minimal.
  router.patch('/:id', async (req, res) => {
    const cat = await catalogueOf(req);
    let unregistered = unregisteredOf(req);
    const { user } = await users.modify(
      contextOf(req),
      String(req.params.id),
      async (current) => {
        unregistered = unregisteredOf(req); // a retried transaction collects afresh
        const doc = await patchUserDocument(userDocument(current, cat), req.body, cat, unregistered.sink);
        return doc ? userFieldsFromDocument(doc) : undefined;
      },
      ifMatch(req),
      (tx) => unregistered.inWrite(tx),
    );
    unregistered.afterCommit();
    if (prefersMinimal(req)) {
      res.status(204).setHeader('ETag', userVersion(user)).end();
      return;
    }
    await respondWritten(req, res, cat, 200, user);
  });

  router.delete('/:id', async (req, res) => {
    await users.delete(contextOf(req), String(req.params.id), ifMatch(req));
    res.status(204).end();
  });

  return router;
}
