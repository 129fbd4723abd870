import { forbidden, invalid, notFound } from '../errors/domain-error.js';

/** The errors of the users domain. */
export const userErrors = {
  notFound: (id: string) => notFound(`User ${id} not found`),
  needsPermission: (permission: string) => forbidden(`This key lacks the ${permission} permission`),
  invalidCursor: () =>
    invalid('The cursor is not one this server issued', 'invalidValue', [
      { field: 'cursor', message: 'Start again without a cursor' },
    ]),
};
