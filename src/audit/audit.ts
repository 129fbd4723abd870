import type { Actor } from '../principals/actor.js';

export interface AuditEvent {
  id: string;
  at: Date;
  actor: Actor;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

export interface NewAuditEvent {
  orgId: string;
  actor: Actor;
  action: string;
  target?: string;
  details?: Record<string, unknown>;
  requestId?: string;
}

/** An If-Match precondition, checked under the row lock: given the current version, may the write go on? */
export type Precondition = (version: number) => boolean;
