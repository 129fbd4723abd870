import { notFound } from '../errors/domain-error.js';

/** The errors of the users domain. */
export const userErrors = {
  notFound: (id: string) => notFound(`User ${id} not found`),
};
