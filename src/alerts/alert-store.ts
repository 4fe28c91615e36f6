// Persistence for alerting behind a small interface (SQLite now; PostgreSQL later), with no SQL outside it.
import type { FindingKey } from '../findings/finding.js';
import type { BoundNode } from '../query/bound.js';
import type { Destination, DestinationSpec } from './destination.js';
import type { Incident } from './evaluate.js';
import type { AlertFinding, AlertKind, AlertMessage } from './message.js';
import type { AlertRule, RuleSpec, RuleStatus } from './rule.js';

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

export interface DigestItem {
  readonly rule: string;
  readonly finding: AlertFinding;
  readonly at: number;
  /** Collection order; set on items read back from the store. */
  readonly seq?: number;
}

/** Everything one evaluation pass writes, committed together with the cursor advance. */
export interface EvaluationResult {
  readonly cursor: number;
  readonly incidents: readonly Incident[];
  readonly deliveries: readonly NewDelivery[];
  readonly digestItems: readonly DigestItem[];
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

export interface AlertStore {
  createDestination(spec: DestinationSpec, now: number): Promise<Destination>;
  getDestination(id: string): Promise<Destination | undefined>;
  listDestinations(): Promise<Destination[]>;
  replaceDestination(id: string, spec: DestinationSpec, now: number): Promise<Destination | undefined>;
  deleteDestination(id: string): Promise<boolean>;

  createRule(spec: RuleSpec, owner: string, now: number): Promise<AlertRule>;
  getRule(id: string): Promise<AlertRule | undefined>;
  listRules(): Promise<AlertRule[]>;
  /** Replaces a rule; one that is no longer a digest drops its collected digest items. */
  replaceRule(id: string, spec: RuleSpec, now: number): Promise<AlertRule | undefined>;
  deleteRule(id: string): Promise<boolean>;
  /** Records why a rule fires on nothing, or (undefined) that it evaluates again; `updatedAt` is left alone. */
  setRuleStatus(id: string, status: RuleStatus | undefined): Promise<void>;

  /** The evaluation cursor on the finding change log (0 before the first pass). */
  cursor(): Promise<number>;
  incident(rule: string, groupKey: string): Promise<Incident | undefined>;
  /** Incidents, deliveries, digest items and the cursor advance, atomically. */
  commitEvaluation(result: EvaluationResult, now: number): Promise<void>;

  /** A rule's collected digest items, in collection order. */
  digestItems(rule: string): Promise<DigestItem[]>;
  /** Takes a rule's collected digest items (up to `throughSeq` when given) and turns them into deliveries, atomically. */
  cutDigest(rule: string, build: (items: readonly DigestItem[]) => NewDelivery[], now: number, throughSeq?: number): Promise<number>;

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
  /** Queues deliveries made outside evaluation (a finding sent to a destination by hand). */
  enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number[]>;
  /** Drops incidents not updated since `incidentsBefore` and finished deliveries created before `deliveriesBefore`. */
  prune(incidentsBefore: number, deliveriesBefore: number): Promise<void>;
}
