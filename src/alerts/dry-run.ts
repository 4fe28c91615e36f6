// Dry run: which stored findings a rule would have alerted on in a time range, replayed in updatedAt order.
import type { FindingStore, FindingChange, FindingRecord } from '../store/finding-store.js';
import { decide, groupKeyOf, inScope, type Incident } from './evaluate.js';
import { alertFinding, type AlertFinding } from './message.js';
import type { AccountCatalog } from './routing.js';
import type { AlertRule } from './rule.js';
import { parseQuery } from '../query/parser.js';
import { bindQuery } from '../query/bind.js';
import type { BoundNode } from '../query/bound.js';
import { andScope } from '../query/scope.js';
import { bandRank, severityBand } from '../findings/severity.js';

/** Findings replayed at most; a larger range is reported as truncated. */
const MAX_REPLAYED = 10_000;
const MAX_LISTED = 500;

export interface DryRunResult {
  readonly from: string;
  readonly to: string;
  /** Findings in the range that pass the rule's filters. */
  readonly matched: number;
  /** Alerts (or, for a digest rule, digest entries) the rule would have sent, oldest first. */
  readonly alerts: ReadonlyArray<{ readonly kind: string; readonly groupKey: string; readonly at: string; readonly finding: AlertFinding }>;
  readonly truncated: boolean;
}

function updatedAtOf(record: FindingRecord): number {
  const t = Date.parse(String(record.doc.updatedAt));
  return Number.isNaN(t) ? record.derived.lastSeen : t;
}

/** Changes as the log would have recorded them; escalation rules need the stored history for previous bands. */
async function replayChanges(store: FindingStore, rule: AlertRule, record: FindingRecord): Promise<FindingChange[]> {
  const count = typeof (record.doc.service as { count?: unknown } | undefined)?.count === 'number' ? ((record.doc.service as { count: number }).count) : 1;
  const current: FindingChange = { seq: 0, hash: '', outcome: 'created', band: record.derived.band, count, at: updatedAtOf(record), record };
  if (rule.trigger.kind !== 'escalation' && rule.trigger.kind !== 'count') return [current];
  const full = await store.get(record.key);
  if (!full) return [current];
  return full.history.map((v, i): FindingChange => {
    const prev = full.history[i - 1];
    const severity = typeof v.doc.severity === 'number' ? v.doc.severity : 0;
    const prevSeverity = prev && typeof prev.doc.severity === 'number' ? prev.doc.severity : undefined;
    return {
      seq: i,
      hash: v.hash,
      outcome: i === 0 ? 'created' : 'updated',
      band: severityBand(severity),
      ...(prevSeverity !== undefined && { previousBand: severityBand(prevSeverity) }),
      count: v.count,
      ...(prev && { previousCount: prev.count }),
      at: v.updatedAt,
      record,
    };
  });
}

/** Replays only findings `scope` selects (the caller's read scope), AND-ed into the store query. */
export async function dryRun(
  store: FindingStore,
  rule: AlertRule,
  range: { from: number; to: number },
  scope: BoundNode,
  accounts: AccountCatalog,
  publicUrl: string | undefined,
  now: number,
): Promise<DryRunResult> {
  const query = andScope(bindQuery(parseQuery(rule.query), { now }), scope);
  const incidents = new Map<string, Incident>();
  const alerts: Array<DryRunResult['alerts'][number]> = [];
  let matched = 0;
  let seen = 0;
  let after;
  let truncated = false;
  do {
    const page = await store.search({ query, from: range.from, to: range.to, size: 500, sort: { field: 'updatedAt', order: 'asc' }, ...(after && { after }) });
    for (const record of page.findings) {
      if (++seen > MAX_REPLAYED) {
        truncated = true;
        break;
      }
      const changes = (await replayChanges(store, rule, record)).filter((c) => c.at >= range.from && c.at < range.to && inScope(rule, c));
      if (changes.length === 0) continue;
      matched++;
      for (const change of changes) {
        const groupKey = groupKeyOf(rule, record);
        if (rule.trigger.kind === 'digest') {
          alerts.push({ kind: 'digest', groupKey, at: new Date(change.at).toISOString(), finding: alertFinding(record, accounts, publicUrl) });
          continue;
        }
        const decision = decide(rule, change, groupKey, incidents.get(groupKey));
        if (decision.incident) incidents.set(groupKey, decision.incident);
        if (decision.alert) alerts.push({ kind: decision.alert, groupKey, at: new Date(change.at).toISOString(), finding: { ...alertFinding(record, accounts, publicUrl), band: change.band } });
      }
    }
    after = page.next;
  } while (after && !truncated);
  alerts.sort((a, b) => a.at.localeCompare(b.at) || bandRank(a.finding.band) - bandRank(b.finding.band));
  return {
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    matched,
    alerts: alerts.slice(0, MAX_LISTED),
    truncated: truncated || alerts.length > MAX_LISTED,
  };
}
