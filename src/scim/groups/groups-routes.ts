import { Router, type Request, type Response } from 'express';
import type { GroupChange, GroupsService } from '../../groups/groups-service.js';
import type { GroupRecord } from '../../groups/groups.js';
import type { ScimSchemasService, UnregisteredAttribute } from '../../users/scim-schemas-service.js';
import { contextOf } from '../../http/authenticate.js';
import { notFound } from '../../http/http-error.js';
import { listParams, readListParams, readSearchRequest, type ListParams } from '../list-params.js';
import { listResponse } from '../list-response.js';
import { catalogue } from '../../schema/catalogue.js';
import { includes, parseProjection, project, type Projection } from '../attributes/projection.js';
import { ifMatch, notModified, prefersMinimal, scimBaseUrl, sendScim } from '../scim-http.js';
import { groupInputFromScim, groupVersion, scimGroup } from './group-document.js';
import { planGroupPatch } from './group-patch.js';

/**
 * Above this many members a PATCH answers 204 rather than the whole group, so its cost stays
 * bounded whatever the group's size; below it, 200 with the group, which Okta's test plan checks.
 */
export const PATCH_RESPONSE_MEMBER_LIMIT = 1000;

/** /Groups (RFC 7644 §3): thin HTTP over GroupsService. */
export function groupsRoutes(groups: GroupsService, scimSchemas: ScimSchemasService): Router {
  /** Parses a body, then counts and audits the attributes of extensions it carried (RFC 7644 §3.3). */
  async function inputOf(req: Request) {
    const found: UnregisteredAttribute[] = [];
    const input = groupInputFromScim(req.body, (a) => {
      found.push(a);
    });
    await scimSchemas.reportUnregistered(contextOf(req), found);
    return input;
  }

  const router = Router({ caseSensitive: false });
  const cat = catalogue('Group');

  const render = (req: Request, group: GroupRecord, projection: Projection) =>
    project(scimGroup(group, scimBaseUrl(req)), projection);

  /** The group as written, members loaded only when the response includes them. */
  async function respondWritten(req: Request, res: Response, status: number, written: GroupRecord): Promise<void> {
    const projection = parseProjection(cat, req.query);
    const withMembers = includes(projection, 'members');
    const group = withMembers ? ((await groups.get(contextOf(req), written.id, { withMembers })) ?? written) : written;
    sendScim(res, status, render(req, group, projection), {
      ETag: groupVersion(group),
      ...(status === 201 ? { Location: `${scimBaseUrl(req)}/Groups/${group.id}` } : {}),
    });
  }

  async function list(req: Request, res: Response, params: ListParams): Promise<void> {
    const { rows, total } = await groups.list(contextOf(req), {
      filter: params.filter,
      sort: params.sort,
      window: params.window,
      withMembers: includes(params.projection, 'members'),
    });
    sendScim(
      res,
      200,
      listResponse(params, rows, total, (g) => render(req, g, params.projection)),
    );
  }

  router.get('/', (req, res) => list(req, res, readListParams(req.query, cat)));

  // RFC 7644 §3.4.3: the same query, its parameters in a SearchRequest body.
  router.post('/.search', (req, res) => list(req, res, listParams(readSearchRequest(req.body), cat.resourceType, cat)));

  router.get('/:id', async (req, res) => {
    const id = String(req.params.id);
    const projection = parseProjection(cat, req.query);
    // excludedAttributes=members never loads members, whatever the group's size.
    const group = await groups.get(contextOf(req), id, { withMembers: includes(projection, 'members') });
    if (!group) throw notFound(`Group ${id} not found`);
    if (notModified(req, group.version)) {
      res.status(304).setHeader('ETag', groupVersion(group)).end();
      return;
    }
    sendScim(res, 200, render(req, group, projection), { ETag: groupVersion(group) });
  });

  router.post('/', async (req, res) => {
    const created = await groups.create(contextOf(req), await inputOf(req));
    await respondWritten(req, res, 201, created);
  });

  router.put('/:id', async (req, res) => {
    const input = await inputOf(req);
    const changes: GroupChange[] = [
      { kind: 'setDisplayName', value: input.displayName },
      { kind: 'setExternalId', value: input.externalId },
      { kind: 'replaceMembers', members: input.members },
    ];
    const group = await groups.change(contextOf(req), String(req.params.id), changes, ifMatch(req));
    await respondWritten(req, res, 200, group);
  });

  router.patch('/:id', async (req, res) => {
    const group = await groups.change(contextOf(req), String(req.params.id), planGroupPatch(req.body), ifMatch(req));
    const asked = req.query.attributes !== undefined || req.query.excludedAttributes !== undefined;
    if (!asked && (prefersMinimal(req) || group.memberCount > PATCH_RESPONSE_MEMBER_LIMIT)) {
      res.status(204).setHeader('ETag', groupVersion(group)).end();
      return;
    }
    await respondWritten(req, res, 200, group);
  });

  router.delete('/:id', async (req, res) => {
    await groups.delete(contextOf(req), String(req.params.id), ifMatch(req));
    res.status(204).end();
  });

  return router;
}
