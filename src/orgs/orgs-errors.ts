import { forbidden, invalid } from '../errors/domain-error.js';

/** The errors of the organizations domain. */
export const orgErrors = {
  createNeedsPermission: () => forbidden('Creating organizations needs the orgs:create permission'),
  policyNeedsAdmin: () => forbidden('Changing the organization policy needs org:admin'),
  invalidPolicy: (detail: string) => invalid(detail),
};
