// The pure core of alerting: does a stored change concern a rule, does it fire, and does it open an incident?
import type { SeverityBand } from '../findings/severity.js';
import { bandRank } from '../findings/severity.js';
import type { FindingChange, FindingRecord } from '../store/finding-store.js';
import type { AlertKind } from './message.js';
import { resourceOf } from './message.js';
import type { AlertRule } from './rule.js';

/** What an alert rule remembers about one group (a finding, a type, a resource or an account). */
export interface Incident {
  readonly rule: string;
  readonly groupKey: string;
  readonly openedAt: number;
  readonly lastAlertAt: number;
  /** Highest band alerted in this incident. */
  readonly band: SeverityBand;
  /** Highest `service.count` seen in this incident. */
  readonly count: number;
  /** Matching versions absorbed by the incident (alerted or not). */
  readonly updates: number;
  readonly alerts: number;
  readonly updatedAt: number;
}

function isSample(record: FindingRecord): boolean {
  const info = (record.doc.service as { additionalInfo?: { sample?: unknown } } | undefined)?.additionalInfo;
  return info?.sample === true || info?.sample === 'true';
}

/** Band, scope, sample and archive filters; the KQL filter is applied by the store beforehand. */
export function inScope(rule: AlertRule, change: FindingChange): boolean {
  const r = change.record;
  if (bandRank(change.band) < bandRank(rule.minBand)) return false;
  if (rule.accounts && rule.accounts.length > 0 && !rule.accounts.includes(r.key.accountId)) return false;
  if (rule.regions && rule.regions.length > 0 && !rule.regions.includes(r.key.region)) return false;
  if (!rule.includeSample && isSample(r)) return false;
  if (!rule.includeArchived && r.derived.archived) return false;
  return true;
}

export function groupKeyOf(rule: AlertRule, record: FindingRecord): string {
  switch (rule.groupBy) {
    case 'finding':
      return `${record.key.accountId}/${record.key.region}/${record.key.id}`;
    case 'type':
      return `type:${String(record.doc.type)}`;
    case 'resource':
      return `resource:${record.key.accountId}/${resourceOf(record.doc)}`;
    case 'account':
      return `account:${record.key.accountId}`;
  }
}

/** Whether the trigger itself fires for this change (before incident de-duplication). */
export function triggerFires(rule: AlertRule, change: FindingChange): boolean {
  const t = rule.trigger;
  switch (t.kind) {
    case 'new':
      return true;
    case 'escalation':
      return change.previousBand !== undefined && bandRank(change.band) > bandRank(change.previousBand);
    case 'count':
      return change.count >= t.threshold && (change.previousCount === undefined || change.previousCount < t.threshold);
    case 'digest':
      return false;
  }
}

export interface Decision {
  /** Set when an alert goes out. */
  readonly alert?: Exclude<AlertKind, 'digest' | 'test'>;
  /** The incident after this change (absent when the change leaves no trace). */
  readonly incident?: Incident;
}

/**
 * Once per incident: a firing change opens an incident and alerts; within the throttle window further changes
 * only update it, unless the band rises above the band already alerted, which alerts again as an escalation.
 */
export function decide(rule: AlertRule, change: FindingChange, groupKey: string, existing: Incident | undefined): Decision {
  const now = change.at;
  const fires = triggerFires(rule, change);
  const open = existing !== undefined && now - existing.lastAlertAt < rule.throttleSeconds * 1000;
  if (open) {
    const higher = bandRank(change.band) > bandRank(existing.band);
    const updated: Incident = { ...existing, count: Math.max(existing.count, change.count), updates: existing.updates + 1, updatedAt: now };
    if (higher) {
      return { alert: 'escalation', incident: { ...updated, band: change.band, lastAlertAt: now, alerts: existing.alerts + 1 } };
    }
    return { incident: updated };
  }
  if (!fires) return {};
  const kind = rule.trigger.kind === 'digest' ? 'new' : rule.trigger.kind;
  return {
    alert: kind,
    incident: { rule: rule.id, groupKey, openedAt: now, lastAlertAt: now, band: change.band, count: change.count, updates: 1, alerts: 1, updatedAt: now },
  };
}
