/** A provisioned identity. Columns hold what is filtered, sorted or joined; `attributes` the rest of the SCIM document. */
export interface UserRecord {
  orgId: string;
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  attributes: Record<string, unknown>;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Direct and nested group memberships, loaded only when the response includes them. */
  groups?: UserGroupRef[];
}

export interface UserGroupRef {
  value: string;
  display: string;
  type: 'direct' | 'indirect';
}

export interface UserFields {
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  attributes: Record<string, unknown>;
}
