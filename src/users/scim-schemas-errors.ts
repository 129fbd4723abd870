import { DomainError, forbidden, notFound } from '../errors/domain-error.js';

/** The errors of the extension schema registry (users/). */
export const scimSchemaErrors = {
  needsAdmin: () => forbidden('Registering or removing SCIM extension schemas needs the org:admin permission'),
  notFound: (urn: string) => notFound(`This organization has no registered SCIM schema ${urn}`),
  taken: (urn: string) =>
    new DomainError('conflict', 'schema_registered', `${urn} is already registered; delete it first to change it`),
};
