// Removing findings from every store that keeps a trace of them: alerting's incidents, deliveries and digest
// items, then the finding store's own rows. Backend-neutral; an erasure and store retention both call it.
import type { AlertStores } from '../alerts/alert-stores.js';
import { incidentGroupsOf, type ForgottenCounts } from '../alerts/forget.js';
import type { FindingKey } from '../findings/finding.js';
import { noRemovals, REMOVE_BATCH, type FindingStore, type RemovalCounts, type RemoveOptions } from './finding-store.js';

/** What `removeFindings` removed, place by place. */
export interface FindingRemovalCounts extends RemovalCounts, ForgottenCounts {}

export function noFindingRemovals(): { -readonly [K in keyof FindingRemovalCounts]: number } {
  return { ...noRemovals(), incidents: 0, deliveries: 0, digestItems: 0 };
}

/** Adds `more` into `total`, place by place. */
export function addRemovals(total: { -readonly [K in keyof FindingRemovalCounts]: number }, more: Partial<FindingRemovalCounts>): void {
  for (const place of Object.keys(total) as Array<keyof FindingRemovalCounts>) total[place] += more[place] ?? 0;
}

export interface RemoveFindingsOptions extends RemoveOptions {
  /** Told after each batch, with the counts so far (a job's progress). */
  readonly onBatch?: (counts: FindingRemovalCounts, keysDone: number) => void | Promise<void>;
}

/**
 * Removes the findings `keys` name, `REMOVE_BATCH` at a time: for each batch, alerting forgets them (one
 * transaction), then the finding store removes them (one more); a crash between the two leaves the findings
 * stored, and running the removal again finishes both. A finding is never half removed from the finding store.
 * Call `findings.scrub()` once the whole removal is done to leave no bytes of it in the store's files.
 */
export async function removeFindings(
  stores: { readonly findings: FindingStore; readonly alerts: AlertStores },
  keys: readonly FindingKey[],
  options: RemoveFindingsOptions = {},
): Promise<FindingRemovalCounts> {
  const total = noFindingRemovals();
  for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
    const batch = keys.slice(i, i + REMOVE_BATCH);
    const groups: string[] = [];
    for (const key of batch) {
      const stored = await stores.findings.get(key);
      groups.push(...incidentGroupsOf(key, stored?.history.map((v) => v.doc) ?? []));
    }
    addRemovals(total, await stores.alerts.evaluation.forgetFindings(batch, groups));
    addRemovals(total, await stores.findings.remove(batch, options));
    await options.onBatch?.(total, Math.min(keys.length, i + REMOVE_BATCH));
  }
  return total;
}
