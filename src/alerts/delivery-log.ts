// The delivery log: every message alerting queued for a destination, its attempts, and its outcome.
import type { FindingKey } from '../findings/finding.js';
import type { BoundNode } from '../query/bound.js';
import type { AlertKind, AlertMessage } from './message.js';

export type DeliveryStatus = 'pending' | 'sent' | 'dead';

export interface NewDelivery {
  readonly rule: string;
  readonly destination: string;
  readonly kind: AlertKind;
  /** `accountId/region/id` of the finding, absent for digests. */
  readonly finding?: string;
  /** Every finding the message is about (a digest's every collected finding, not only those it lists). */
  readonly about: readonly FindingKey[];
  readonly message: AlertMessage;
  /** Epoch ms when the finding that caused it was stored (digests: when the digest was cut). */
  readonly arrivedAt: number;
}

export interface Delivery extends Omit<NewDelivery, 'about'> {
  readonly id: number;
  /** Sent as `Idempotency-Key`; the same on every attempt, so receivers can drop a repeat. */
  readonly idempotencyKey: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
  readonly sentAt?: number;
  readonly lastError?: string;
  /** Finding arrival → receiver's 2xx, ms. */
  readonly latencyMs?: number;
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  readonly rule?: string;
  readonly destination?: string;
  readonly limit: number;
  /** Deliveries with an id below this one (newest first paging). */
  readonly before?: number;
  /** Only deliveries all of whose findings this condition selects (the caller's read scope). */
  readonly scope?: BoundNode;
}

/** Deliveries made by evaluation and digests arrive through `EvaluationStore`, in the same transaction as their cause. */
export interface DeliveryLog {
  /** Queues deliveries made outside evaluation (a finding sent to a destination by hand). */
  enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number[]>;
  /** Pending deliveries due at `now`, oldest first, leaving out `exclude` (those in flight). */
  dueDeliveries(now: number, limit: number, exclude: ReadonlySet<number>): Promise<Delivery[]>;
  /** When the next pending delivery is due (undefined when none is pending). */
  nextDueAt(): Promise<number | undefined>;
  markSent(id: number, now: number, latencyMs: number): Promise<void>;
  /** Records a failed attempt: retried at `retryAt`, or dead-lettered when `retryAt` is undefined. */
  markFailed(id: number, error: string, now: number, retryAt: number | undefined): Promise<void>;
  /** Puts a dead letter back in the queue for an attempt now; false when it is not a dead letter. */
  retryDead(id: number, now: number): Promise<boolean>;
  /** A delivery, or undefined when there is none or (with `scope`) one of its findings is outside the scope. */
  getDelivery(id: number, scope?: BoundNode): Promise<Delivery | undefined>;
  listDeliveries(filter: DeliveryFilter): Promise<Delivery[]>;
  deleteDelivery(id: number): Promise<boolean>;
  /** Drops finished deliveries (sent or dead) created before `before`; pending ones stay. */
  prune(before: number): Promise<void>;
}
