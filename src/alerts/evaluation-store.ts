// What evaluation keeps between passes: its cursor on the change log, open incidents and collected digest items.
import type { NewDelivery } from './delivery-log.js';
import type { Incident } from './evaluate.js';
import type { AlertFinding } from './message.js';
import type { FindingKey } from '../findings/finding.js';
import type { ForgottenCounts } from './forget.js';

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
  /**
   * Forgets erased findings in one transaction: incidents whose group is one of `groups` (forget.ts
   * `incidentGroupsOf`), digest items quoting the findings, and deliveries about them (removed, or for a digest
   * also about other findings, rewritten without them). The finding store's removal is separate; an erasure calls
   * this first, so a crash between the two leaves the findings stored and the erasure repeats both.
   */
  forgetFindings(keys: readonly FindingKey[], groups: readonly string[]): Promise<ForgottenCounts>;
  /** Drops incidents not updated since `before`. */
  prune(before: number): Promise<void>;
}
