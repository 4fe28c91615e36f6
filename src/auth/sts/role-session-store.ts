// Where temporary credentials are kept: the secret access key sealed (SigV4 needs it back), the token hashed.
import type { RequestContext } from '../policy/document.js';
import type { Tags } from '../principals/records.js';

export interface RoleSessionRecord {
  /** `ASIA` and 16 characters: the public half, named in SigV4's Credential and in the audit log. */
  readonly accessKeyId: string;
  /** The secret access key, sealed by the master key with `sts:<accessKeyId>` as its context. */
  readonly sealedSecret: string;
  /** SHA-256 of the session token, base64url; the token itself is never stored. */
  readonly tokenHash: string;
  readonly roleName: string;
  readonly sessionName: string;
  /** `ldap` or `oidc:<provider>`; `key` for sessions opened with a long-lived key. */
  readonly source: string;
  /** Who proved their identity: the LDAP user's DN or the token's `iss` and `sub`. */
  readonly subject: string;
  /** The session policy document as given (validated), or null. */
  readonly sessionPolicy: unknown;
  /** Session tags and directory attributes, which become `aws:PrincipalTag/…`. */
  readonly tags: Tags;
  /** Condition keys of the credentials (`aws:FederatedProvider`, `ldap:username`, `jwt:sub`…). */
  readonly context: RequestContext;
  readonly sourceIp: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

export interface RoleSessionPage {
  readonly items: readonly RoleSessionRecord[];
  readonly next?: string;
}

export interface RoleSessionStore {
  insert(record: RoleSessionRecord): Promise<void>;
  byAccessKeyId(accessKeyId: string): Promise<RoleSessionRecord | undefined>;
  /** Revokes one session; false when it does not exist or was already revoked. */
  revoke(accessKeyId: string, now: number): Promise<boolean>;
  /** Sessions not expired at `now`, newest first, revoked ones included. */
  list(now: number, options: { readonly limit: number; readonly after?: string | undefined }): Promise<RoleSessionPage>;
  /** Forgets sessions that expired before `before`. */
  deleteExpired(before: number): Promise<number>;
}
