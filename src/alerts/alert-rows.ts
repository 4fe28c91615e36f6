// Alerting's records as table rows: the same columns in every backend (alert_rules, alert_deliveries,
// alert_incidents), JSON in text columns, epoch ms in integer columns.
import type { Delivery, DeliveryStatus } from './delivery-log.js';
import type { Incident } from './evaluate.js';
import type { AlertKind, AlertMessage } from './message.js';
import type { AlertRule, RuleSpec, RuleStatus } from './rule.js';
import type { SeverityBand } from '../findings/severity.js';

export interface RuleRow {
  id: string;
  spec: string;
  owner: string;
  status: string | null;
  created_at: number;
  updated_at: number;
}

export const RULE_COLUMNS = 'id, spec, owner, status, created_at, updated_at';

export function ruleOf(row: RuleRow): AlertRule {
  return {
    ...(JSON.parse(row.spec) as RuleSpec),
    id: row.id,
    owner: row.owner,
    ...(row.status !== null && { status: JSON.parse(row.status) as RuleStatus }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface DeliveryRow {
  id: number;
  idempotency_key: string;
  rule: string;
  destination: string;
  kind: AlertKind;
  finding: string | null;
  message: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  arrived_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
  latency_ms: number | null;
}

/** The columns of `alert_deliveries d`. */
export const DELIVERY_COLUMNS =
  'd.id, d.idempotency_key, d.rule, d.destination, d.kind, d.finding, d.message, d.status, d.attempts, d.next_attempt_at, d.arrived_at, d.created_at, d.sent_at, d.last_error, d.latency_ms';

export function deliveryOf(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    rule: r.rule,
    destination: r.destination,
    kind: r.kind,
    ...(r.finding !== null && { finding: r.finding }),
    message: JSON.parse(r.message) as AlertMessage,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    arrivedAt: r.arrived_at,
    createdAt: r.created_at,
    ...(r.sent_at !== null && { sentAt: r.sent_at }),
    ...(r.last_error !== null && { lastError: r.last_error }),
    ...(r.latency_ms !== null && { latencyMs: r.latency_ms }),
  };
}

export interface IncidentRow {
  rule: string;
  group_key: string;
  opened_at: number;
  last_alert_at: number;
  band: SeverityBand;
  count: number;
  updates: number;
  alerts: number;
  updated_at: number;
}

export const INCIDENT_COLUMNS = 'rule, group_key, opened_at, last_alert_at, band, count, updates, alerts, updated_at';

export function incidentOf(r: IncidentRow): Incident {
  return {
    rule: r.rule,
    groupKey: r.group_key,
    openedAt: r.opened_at,
    lastAlertAt: r.last_alert_at,
    band: r.band,
    count: r.count,
    updates: r.updates,
    alerts: r.alerts,
    updatedAt: r.updated_at,
  };
}
