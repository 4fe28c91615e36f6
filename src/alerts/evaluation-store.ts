// What evaluation keeps between passes: its cursor on the change log, open incidents and collected digest items.
import type { NewDelivery } from './delivery-log.js';
import type { Incident } from './evaluate.js';
import type { AlertFinding } from './message.js';

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

export interface EvaluationStore {
  /** The evaluation cursor on the finding change log (0 before the first pass). */
  cursor(): Promise<number>;
  incident(rule: string, groupKey: string): Promise<Incident | undefined>;
  /** Incidents, deliveries (into the delivery log), digest items and the cursor advance, atomically. */
  commitEvaluation(result: EvaluationResult, now: number): Promise<void>;
  /** A rule's collected digest items, in collection order. */
  digestItems(rule: string): Promise<DigestItem[]>;
  /**
   * Takes a rule's collected digest items (up to `throughSeq` when given) and turns them into deliveries in the
   * delivery log, atomically; resolves with how many deliveries it queued.
   */
  cutDigest(rule: string, build: (items: readonly DigestItem[]) => NewDelivery[], now: number, throughSeq?: number): Promise<number>;
  /** Drops incidents not updated since `before`. */
  prune(before: number): Promise<void>;
}
