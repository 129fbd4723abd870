import type { TestApp } from './test-app.js';

/** An organization's own extension, as Entra ID names custom ones (urn:…:extension:<name>:2.0:User). */
export const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

/** An RFC 7643 §7 schema document with one attribute of every supported type. */
export function acmeSchema(id = ACME): Record<string, unknown> {
  return {
    id,
    name: 'AcmeUser',
    description: 'Acme attributes',
    attributes: [
      { name: 'costCenter', type: 'string', multiValued: false, required: false, caseExact: false },
      { name: 'badgeNumber', type: 'integer' },
      { name: 'ratio', type: 'decimal' },
      { name: 'contractor', type: 'boolean' },
      { name: 'hiredOn', type: 'dateTime' },
      { name: 'homepage', type: 'reference', referenceTypes: ['external'] },
      { name: 'skills', type: 'string', multiValued: true },
      {
        name: 'building',
        type: 'complex',
        subAttributes: [
          { name: 'code', type: 'string' },
          { name: 'floor', type: 'integer' },
        ],
      },
      {
        name: 'projects',
        type: 'complex',
        multiValued: true,
        subAttributes: [
          { name: 'value', type: 'string' },
          { name: 'role', type: 'string' },
        ],
      },
      { name: 'pin', type: 'string', mutability: 'writeOnly', returned: 'never' },
      { name: 'nickname', type: 'string', returned: 'request' },
      { name: 'region', type: 'string', returned: 'always' },
    ],
  };
}

/** POST /api/v1/scim-schemas with the organization's admin key (the bootstrap key by default). */
export async function registerSchema(app: TestApp, schema: unknown, token = app.adminToken) {
  return app.http
    .post('/api/v1/scim-schemas')
    .set('Authorization', `Bearer ${token}`)
    .send(schema as object);
}
