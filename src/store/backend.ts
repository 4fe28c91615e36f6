// The backend seam: every store the server keeps its state in, opened together from one place (the embedded SQLite
// file now; PostgreSQL later). Nothing outside src/store/<backend>/ knows which one it is. A backup of an embedded
// store is taken beside the Backend a running server owns, not through it (store/backup/, sqlite/snapshot.ts: a
// read-only connection on one snapshot); a PostgreSQL store is backed up with PostgreSQL's own tools.
import type { AlertStores } from '../alerts/alert-stores.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditQueueOptions } from '../audit/audit-queue.js';
import type { RoleMapStore } from '../auth/federation/role-map.js';
import type { PrincipalStore } from '../auth/principals/principal-store.js';
import type { SigningKeyStore } from '../auth/principals/signing-keys.js';
import type { SealedRecords } from '../auth/secrets/sealed-records.js';
import type { SecretBox } from '../auth/secrets/secret-box.js';
import type { SessionRepository } from '../auth/sessions.js';
import type { RoleSessionStore } from '../auth/sts/role-session-store.js';
import type { CatalogStore } from '../catalog/catalog-store.js';
import type { SourceStateStore } from '../ingest/source-state-store.js';
import type { RetentionStore } from '../retention/retention-store.js';
import type { FindingStore } from './finding-store.js';
import type { ErasureStore } from '../erasure/erasure-store.js';
import type { Lease } from './lease.js';
import type { RecordSource } from './transfer.js';

/** What every backend is opened with, whatever else its own options say. */
export interface BackendOptions {
  /** Seals the values that must be read back (alert destinations, STS secret keys) with the master key. */
  readonly secrets: SecretBox;
  /** Told about audit entries written and dropped (the server's metrics). */
  readonly audit?: Pick<AuditQueueOptions, 'onWritten' | 'onDropped'>;
}

/** A load of many findings under way (see `Backend.bulkLoad`). */
export interface BulkLoad {
  /** Puts back what the load set aside; called once when the load ends, whether it succeeded or not. */
  finish(): Promise<void>;
}

export interface Backend {
  /** Other instances may write this store too (PostgreSQL): commits are learnt from its change log. */
  readonly shared: boolean;
  /** Findings, their history, the change log and the archive outbox. */
  readonly findings: FindingStore;
  readonly alerts: AlertStores;
  /** Users, groups, roles, policies and API keys. */
  readonly principals: PrincipalStore;
  /** Dashboard sessions. */
  readonly sessions: SessionRepository;
  /** Temporary credentials issued by the STS endpoint. */
  readonly roleSessions: RoleSessionStore;
  /** SigV4 credentials of API keys (their secrets sealed). */
  readonly signingKeys: SigningKeyStore;
  /** The LDAP role map entries edited through the API. */
  readonly roleMap: RoleMapStore;
  /** Accounts and account groups. */
  readonly catalog: CatalogStore;
  /** What collectors keep: export objects read (their checkpoints), parked queue messages. */
  readonly sourceState: SourceStateStore;
  /** Erasure jobs and account tombstones. */
  readonly erasures: ErasureStore;
  /** Retention: the policy set through the API and legal holds. */
  readonly retention: RetentionStore;
  /** The audit log of API calls; `close` writes what it still queues. */
  readonly audit: AuditLog;
  /** Every kind of record holding sealed values: what a master key rotation re-seals and a start checks. */
  readonly sealed: readonly SealedRecords[];
  /** Every record as stored (hashes, sealed values and times included), for copying the store into another backend. */
  readonly transfer: RecordSource;
  /** A random secret kept with the data (the page-cursor signing key), made with `create` on first use. */
  storedSecret(name: string, create: () => Buffer): Promise<Buffer>;
  /**
   * Prepares for storing about `versions` finding versions at once (an import): a backend may set aside what makes
   * each write slow and rebuild it once in `finish`. Undefined when it does nothing different for such a load.
   * Only a process that is the backend's sole writer may ask (reads may be slow until `finish`).
   */
  bulkLoad(versions: number): Promise<BulkLoad | undefined>;
  /** Bytes the stored data takes (the server's metrics). */
  sizeBytes(): Promise<number>;
  /** Whether overview aggregations are answered from memory yet (false while the facets load, or without them). */
  facetsReady(): boolean;
  /**
   * Brings what this instance keeps in memory about the findings (its facets) up to every commit so far, other
   * instances' included; the change follower calls it before it announces what it read. Nothing to do for a sole writer.
   */
  catchUp(): Promise<void>;
  /** Where the data is, for the operator: `SQLite file /srv/yagura-data/yagura.db`. */
  describe(): string;
  /** Resolves when the store answers now (a database server reachable); rejects otherwise. For /health. */
  check(): Promise<void>;
  /** The lease on work one instance at a time may do (`alert-evaluation`); released when the backend closes. */
  lease(name: string): Lease;
  /** Closes every store, the audit log first. */
  close(): Promise<void>;
}
