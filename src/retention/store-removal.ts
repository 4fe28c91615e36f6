// Retention's removal of a batch from a backend: the store's own primitive (`removeFindings`, which also makes
// alerting forget the findings), keeping the archive's lines (the archive has a retention of its own). Left alone:
// a finding whose current version changed since the pass selected it (a newer version arrived), and one whose
// versions may still wait in the archive outbox (an object of its account and region, from a day it received a
// version, not yet confirmed in the archive): removing it would take those versions out of the archive too.
import { archiveDay } from '../archive/partition.js';
import { keyString } from '../findings/finding.js';
import type { Backend } from '../store/backend.js';
import { removeFindings } from '../store/remove-findings.js';
import type { ExpiredFinding, RemoveFindings } from './remove-findings.js';

export function storeRemoval(backend: Pick<Backend, 'findings' | 'alerts'>): RemoveFindings {
  return async (batch: readonly ExpiredFinding[]): Promise<number> => {
    const pending = await backend.findings.outbox.objects();
    // The current records alone (no history): one read for the batch.
    const records = await backend.findings.matching({ kind: 'bound', root: { kind: 'all' } }, batch.map((e) => e.key));
    const byKey = new Map(records.map((r) => [keyString(r.key), r]));
    const still: ExpiredFinding['key'][] = [];
    for (const expired of batch) {
      const current = byKey.get(keyString(expired.key));
      if (current === undefined) continue;
      const updatedAt = current.times?.updatedAt ?? Date.parse(String((current.doc as { updatedAt?: unknown }).updatedAt));
      if (updatedAt !== expired.updatedAt) continue;
      const first = archiveDay(current.derived.firstSeen);
      const last = archiveDay(current.derived.lastSeen);
      const unarchived = pending.some((o) => o.accountId === expired.key.accountId && o.region === expired.key.region && o.day >= first && o.day <= last);
      if (!unarchived) still.push(expired.key);
    }
    if (still.length === 0) return 0;
    const counts = await removeFindings({ findings: backend.findings, alerts: backend.alerts }, still, { archive: 'keep' });
    return counts.findings;
  };
}
