import type { Actor } from './actor.js';
import { actorOf, type Principal } from './principal.js';

/**
 * The one thing every service call carries (DESIGN §2): who is calling, in which organization, as
 * whom the audit log names them, and the request id that ties logs and audit events together.
 */
export interface RequestContext {
  principal: Principal;
  orgId: string;
  actor: Actor;
  requestId?: string;
}

export function requestContext(principal: Principal, requestId?: string): RequestContext {
  return { principal, orgId: principal.orgId, actor: actorOf(principal), requestId };
}
