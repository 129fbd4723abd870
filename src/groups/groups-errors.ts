import { forbidden } from '../http/http-error.js';

/** The errors of the groups domain, each telling the caller what to change. */
export const groupErrors = {
  changeBeyondCaller: (missing: string[]) =>
    forbidden(`This group grants ${missing.join(', ')}, which this key does not hold; only an org:admin, or a key holding as much, may change or delete it`),
};
