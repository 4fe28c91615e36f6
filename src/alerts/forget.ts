// What alerting must forget of findings that are erased: the incidents grouped on them, the deliveries and digest
// items that quote them. Pure; each backend's EvaluationStore applies it.
import type { FindingDocument, FindingKey } from '../findings/finding.js';
import type { AlertMessage } from './message.js';
import { resourceOf } from './message.js';

/** Counts of what `EvaluationStore.forgetFindings` removed or rewrote. */
export interface ForgottenCounts {
  /** Incidents whose group was one of the findings or one of their resources. */
  readonly incidents: number;
  /** Deliveries removed, or (digests also about other findings) rewritten without the findings. */
  readonly deliveries: number;
  /** Digest items collected and not yet sent. */
  readonly digestItems: number;
}

/** `accountId/region/id`: how a delivery and an incident grouped by finding name a finding. */
export function keyText(key: FindingKey): string {
  return `${key.accountId}/${key.region}/${key.id}`;
}

/**
 * The incident groups (evaluate.ts `groupKeyOf`) that can name these findings: each finding's own, and the resource
 * group of each stored version (a resource name can be personal data: an IAM user's name). Type and account groups
 * name nothing of a finding's own.
 */
export function incidentGroupsOf(key: FindingKey, versions: readonly FindingDocument[]): string[] {
  const groups = new Set([keyText(key)]);
  for (const doc of versions) groups.add(`resource:${key.accountId}/${resourceOf(doc)}`);
  return [...groups];
}

/**
 * A delivery's message without the erased findings, or undefined when nothing else is left in it (the delivery
 * goes). A digest's `total` drops by the findings taken out of its list.
 */
export function withoutFindings(message: AlertMessage, erased: ReadonlySet<string>): AlertMessage | undefined {
  const kept = message.findings.filter((f) => !erased.has(keyText(f)));
  if (kept.length === 0) return undefined;
  const removed = message.findings.length - kept.length;
  return { ...message, findings: kept, ...(message.total !== undefined && { total: Math.max(kept.length, message.total - removed) }) };
}
