import { Router, type Request, type Response } from 'express';
import { contextOf } from '../../http/authenticate.js';
import { notFound } from '../../http/http-error.js';
import type { UsersService } from '../../users/users-service.js';
import type { UserRecord } from '../../users/users.js';
import { listParams, readListParams, readSearchRequest, type ListParams } from '../list-params.js';
import { listResponse } from '../list-response.js';
import { catalogue } from '../../schema/catalogue.js';
import { includes, parseProjection, project, type Projection } from '../attributes/projection.js';
import { ifMatch, notModified, prefersMinimal, scimBaseUrl, sendScim } from '../scim-http.js';
import { scimUser, userDocument, userFieldsFromDocument, userFieldsFromScim, userVersion } from './user-document.js';
import { patchUserDocument } from './user-patch.js';

/** /Users (RFC 7644 §3): thin HTTP over UsersService. */
export function usersRoutes(users: UsersService): Router {
  const router = Router({ caseSensitive: false });
  const cat = catalogue('User');

  const render = (req: Request, user: UserRecord, projection: Projection) =>
    project(scimUser(user, scimBaseUrl(req)), projection);

  function respond(req: Request, res: Response, status: number, user: UserRecord, projection: Projection): void {
    sendScim(res, status, render(req, user, projection), {
      ETag: userVersion(user),
      ...(status === 201 ? { Location: `${scimBaseUrl(req)}/Users/${user.id}` } : {}),
    });
  }

  /** After a write: the user as written, with its groups when the response includes them. */
  async function respondWritten(req: Request, res: Response, status: number, written: UserRecord): Promise<void> {
    const projection = parseProjection(cat, req.query);
    const withGroups = includes(projection, 'groups');
    const user = withGroups ? ((await users.get(contextOf(req), written.id, { withGroups })) ?? written) : written;
    respond(req, res, status, user, projection);
  }

  async function list(req: Request, res: Response, params: ListParams): Promise<void> {
    const { rows, total } = await users.list(contextOf(req), {
      filter: params.filter,
      sort: params.sort,
      window: params.window,
      withGroups: includes(params.projection, 'groups'),
    });
    sendScim(
      res,
      200,
      listResponse(params, rows, total, (u) => render(req, u, params.projection)),
    );
  }

  router.get('/', (req, res) => list(req, res, readListParams(req.query, cat)));

  // RFC 7644 §3.4.3: the same query, its parameters in a SearchRequest body.
  router.post('/.search', (req, res) => list(req, res, listParams(readSearchRequest(req.body), cat.resourceType, cat)));

  router.get('/:id', async (req, res) => {
    const id = String(req.params.id);
    const projection = parseProjection(cat, req.query);
    const user = await users.get(contextOf(req), id, { withGroups: includes(projection, 'groups') });
    if (!user) throw notFound(`User ${id} not found`);
    if (notModified(req, user.version)) {
      res.status(304).setHeader('ETag', userVersion(user)).end();
      return;
    }
    respond(req, res, 200, user, projection);
  });

  router.post('/', async (req, res) => {
    const body = userFieldsFromScim(req.body);
    // A new user without `active` is active: the service provider's default (RFC 7644 §3.3).
    const created = await users.create(contextOf(req), {
      ...body,
      active: body.active === undefined ? true : body.active,
    });
    respond(req, res, 201, { ...created, groups: [] }, parseProjection(cat, req.query));
  });

  // RFC 7644 §3.5.1: a readWrite attribute the body omits "MAY be assumed to be not asserted by the
  // client": a PUT without `active` leaves it as it is, so it never reactivates a deactivated user.
  router.put('/:id', async (req, res) => {
    const body = userFieldsFromScim(req.body);
    const { user } = await users.modify(
      contextOf(req),
      String(req.params.id),
      async (current) => ({ ...body, active: body.active === undefined ? current.active : body.active }),
      ifMatch(req),
    );
    await respondWritten(req, res, 200, user);
  });

  // RFC 7644 §3.5.2: 200 with the resource, or 204 when the client prefers return=minimal.
  router.patch('/:id', async (req, res) => {
    const { user } = await users.modify(
      contextOf(req),
      String(req.params.id),
      async (current) => {
        const doc = await patchUserDocument(userDocument(current), req.body);
        return doc ? userFieldsFromDocument(doc) : undefined;
      },
      ifMatch(req),
    );
    if (prefersMinimal(req)) {
      res.status(204).setHeader('ETag', userVersion(user)).end();
      return;
    }
    await respondWritten(req, res, 200, user);
  });

  router.delete('/:id', async (req, res) => {
    await users.delete(contextOf(req), String(req.params.id), ifMatch(req));
    res.status(204).end();
  });

  return router;
}
