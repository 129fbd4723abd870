export type GroupSource = 'scim' | 'local';
export type MemberType = 'User' | 'Group';

export interface GroupRecord {
  orgId: string;
  id: string;
  displayName: string;
  externalId: string | null;
  source: GroupSource;
  description: string;
  memberCount: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** Loaded only when the response includes members. */
  members?: MemberRef[];
}

export interface MemberRef {
  value: string;
  type: MemberType;
  display: string | null;
}

export interface NewMember {
  id: string;
  type: MemberType;
  display: string | null;
}

export interface GroupRule {
  permission?: string;
  role?: string;
  resources?: string[];
}
