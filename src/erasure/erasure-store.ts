// Where erasure jobs, the digests of the keys they select and account tombstones are kept; each backend implements it
// and passes erasure-store.conformance.ts.
import type { ErasureCounts, ErasureJob, ErasurePhase, ErasureStatus, ErasureTarget } from './erasure-job.js';

/** What a job's progress changes. */
export interface ErasureUpdate {
  readonly status?: ErasureStatus;
  readonly phase?: ErasurePhase;
  readonly counts?: ErasureCounts;
  readonly keys?: number;
  /** Replaces the target (the query is cleared once the removal phase ends). */
  readonly target?: ErasureTarget;
  readonly finishedAt?: number;
  readonly keysDigest?: string;
  readonly error?: string;
  readonly updatedAt: number;
}

/** An account whose findings were erased: findings of it that arrive afterwards are refused. */
export interface Tombstone {
  readonly accountId: string;
  /** The erasure that wrote it. */
  readonly erasure: string;
  readonly at: number;
}

export interface ErasureStore {
  create(job: ErasureJob): Promise<void>;
  get(id: string): Promise<ErasureJob | undefined>;
  update(id: string, update: ErasureUpdate): Promise<void>;
  /** Jobs still running (to resume after a restart), oldest first. */
  running(): Promise<ErasureJob[]>;
  /** Records the digests of keys a job selects (again: ignored); resolves with how many the job has now. */
  addKeys(id: string, digests: readonly Buffer[]): Promise<number>;
  /** The job's key digests in ascending byte order. */
  keyDigests(id: string): Promise<Buffer[]>;
  /** Forgets the job's key digests (once its receipt digest is computed). */
  dropKeys(id: string): Promise<void>;
  /** Records a tombstone; an account already tombstoned keeps its first. */
  addTombstone(tombstone: Tombstone): Promise<void>;
  tombstones(): Promise<Tombstone[]>;
}
