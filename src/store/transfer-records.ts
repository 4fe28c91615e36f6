// Whole records as a backend keeps them, kind by kind, for copying one backend into another (`yagura migrate`):
// what the stores' own APIs do not hand out (password and key hashes, sealed values as sealed, creation times,
// every version of a finding with the time it was received) travels here unchanged.
import type { FindingKey } from '../findings/finding.js';

/** A random secret kept with the data (the page-cursor signing key); other named values stay behind. */
export interface SecretRecord {
  /** `secret:<name>`. */
  readonly key: string;
  /** Base64. */
  readonly value: string;
}

export interface PolicyRecord {
  readonly name: string;
  /** JSON text as saved (its key order kept). */
  readonly document: string;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RoleRecord {
  readonly name: string;
  readonly description: string;
  /** JSON object text. */
  readonly tags: string;
  readonly trustPolicy: string | null;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface UserRecord {
  readonly name: string;
  /** `scrypt$…`, or null: no password sign-in. */
  readonly passwordHash: string | null;
  readonly tags: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface GroupRecord {
  readonly name: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface MemberRecord {
  readonly group: string;
  readonly user: string;
}

export interface AttachmentRecord {
  readonly principalKind: string;
  readonly principalName: string;
  readonly policyName: string;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly prefix: string;
  readonly name: string;
  /** Hash of the bearer key; the key itself is never stored. */
  readonly hash: string;
  readonly ownerKind: string;
  readonly ownerName: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface SigningCredentialRecord {
  readonly keyId: string;
  readonly accessKeyId: string;
  /** Sealed with the master key, bound to the access key ID: copied sealed. */
  readonly sealedSecret: string;
}

export interface CatalogGroupRecord {
  readonly name: string;
  readonly tags: string;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CatalogAccountRecord {
  readonly accountId: string;
  readonly group: string;
  readonly name: string | null;
  readonly tags: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CatalogPolicyRecord {
  readonly document: string;
  readonly updatedAt: number;
}

export interface DestinationRecord {
  readonly id: string;
  readonly type: string;
  /** The specification sealed with the master key, bound to the id: copied sealed. */
  readonly spec: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface RuleRecord {
  readonly id: string;
  readonly spec: string;
  readonly owner: string;
  readonly status: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface IncidentRecord {
  readonly rule: string;
  readonly groupKey: string;
  readonly openedAt: number;
  readonly lastAlertAt: number;
  readonly band: string;
  readonly count: number;
  readonly updates: number;
  readonly alerts: number;
  readonly updatedAt: number;
}

export interface DeliveryRecord {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly rule: string;
  readonly destination: string;
  readonly kind: string;
  readonly finding: string | null;
  /** JSON text. */
  readonly message: string;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly arrivedAt: number;
  readonly createdAt: number;
  readonly sentAt: number | null;
  readonly lastError: string | null;
  readonly latencyMs: number | null;
}

export interface DeliveryFindingRecord {
  readonly delivery: number;
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
}

export interface DigestItemRecord {
  readonly seq: number;
  readonly rule: string;
  readonly finding: string;
  readonly at: number;
}

export interface SessionRecord {
  /** Hash of the cookie token; the token is never stored. */
  readonly hash: string;
  readonly keyId: string;
  readonly name: string;
  readonly userName: string | null;
  readonly accessKeyId: string | null;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  readonly expiresAt: number;
}

export interface RoleSessionRecord {
  readonly accessKeyId: string;
  /** Sealed with the master key, bound to the access key ID: copied sealed. */
  readonly sealedSecret: string;
  readonly tokenHash: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly source: string;
  readonly subject: string;
  readonly sessionPolicy: string | null;
  readonly tags: string;
  readonly context: string;
  readonly sourceIp: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

export interface RoleMapRecord {
  readonly dn: string;
  readonly roleName: string;
  readonly createdAt: number;
}

/** The retention policy put through the API (one at most). */
export interface RetentionPolicyRecord {
  /** JSON, as validated when saved. */
  readonly document: string;
  readonly updatedBy: string;
  readonly updatedAt: number;
}

/** A legal hold, active or lifted. */
export interface LegalHoldRecord {
  readonly id: string;
  readonly query: string | null;
  readonly accountId: string | null;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly liftedBy: string | null;
  readonly liftedAt: number | null;
}

export interface AuditRecord {
  /** Orders entries of the same millisecond; kept, so the copy lists them in the same order. */
  readonly seq: number;
  readonly time: number;
  readonly requestId: string;
  readonly principal: string | null;
  readonly keyPrefix: string | null;
  readonly sessionId: string | null;
  readonly sourceIp: string;
  readonly method: string;
  readonly route: string;
  readonly action: string | null;
  readonly resource: string | null;
  readonly decision: string;
  readonly status: number;
  readonly errorCode: string | null;
  readonly resultSize: number | null;
  readonly items: number | null;
  readonly reason: string | null;
}

/** One stored version of a finding. */
export interface VersionRecord {
  readonly hash: string;
  readonly updatedAt: number;
  readonly count: number;
  /** Epoch ms when Yagura stored it. */
  readonly receivedAt: number;
  /** The document's JSON text as stored. */
  readonly doc: string;
}

/** An archive or unarchive action taken in Yagura. */
export interface ArchiveActionRecord {
  readonly archived: boolean;
  readonly actor: string;
  readonly at: number;
}

/** A finding with everything stored about it: every version, what Yagura derived, who archived it. */
export interface FindingTransferRecord {
  readonly key: FindingKey;
  /** Every distinct version, in the order they were stored. */
  readonly versions: readonly VersionRecord[];
  /** Hash of the current version. */
  readonly current: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** When the current version was stored. */
  readonly receivedAt: number;
  /** Archived in Yagura now (GuardDuty's flag, or an action taken since). */
  readonly archived: boolean;
  /** Oldest first. */
  readonly actions: readonly ArchiveActionRecord[];
}

export interface TransferRecords {
  secrets: SecretRecord;
  policies: PolicyRecord;
  roles: RoleRecord;
  users: UserRecord;
  groups: GroupRecord;
  groupMembers: MemberRecord;
  attachments: AttachmentRecord;
  apiKeys: ApiKeyRecord;
  signingCredentials: SigningCredentialRecord;
  catalogGroups: CatalogGroupRecord;
  catalogAccounts: CatalogAccountRecord;
  catalogPolicy: CatalogPolicyRecord;
  alertDestinations: DestinationRecord;
  alertRules: RuleRecord;
  alertIncidents: IncidentRecord;
  alertDeliveries: DeliveryRecord;
  alertDeliveryFindings: DeliveryFindingRecord;
  alertDigestItems: DigestItemRecord;
  sessions: SessionRecord;
  roleSessions: RoleSessionRecord;
  roleMap: RoleMapRecord;
  retentionPolicy: RetentionPolicyRecord;
  legalHolds: LegalHoldRecord;
  findings: FindingTransferRecord;
  auditEntries: AuditRecord;
}

export type RecordKind = keyof TransferRecords;

/** Every kind, in the order a copy writes them: what a record refers to comes before it. */
export const RECORD_KINDS: readonly RecordKind[] = [
  'secrets',
  'policies',
  'roles',
  'users',
  'groups',
  'groupMembers',
  'attachments',
  'apiKeys',
  'signingCredentials',
  'catalogGroups',
  'catalogAccounts',
  'catalogPolicy',
  'alertDestinations',
  'alertRules',
  'alertIncidents',
  'alertDeliveries',
  'alertDeliveryFindings',
  'alertDigestItems',
  'sessions',
  'roleSessions',
  'roleMap',
  'retentionPolicy',
  'legalHolds',
  'findings',
  'auditEntries',
];

/** What can be counted: every kind, and the rows inside findings. */
export type CountedKind = RecordKind | 'findingVersions' | 'archiveActions';

export const COUNTED_KINDS: readonly CountedKind[] = [...RECORD_KINDS, 'findingVersions', 'archiveActions'];
