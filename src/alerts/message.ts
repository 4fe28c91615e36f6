// The alert message: a snapshot of what to say, taken when the alert fires and rendered by each sink.
import type { FindingRecord } from '../store/finding-store.js';
import type { SeverityBand } from '../findings/severity.js';
import type { AccountCatalog } from './routing.js';

export type AlertKind = 'new' | 'escalation' | 'count' | 'digest' | 'test';

/** One finding as an alert shows it. Every string here except `link` is attacker-controlled text. */
export interface AlertFinding {
  readonly accountId: string;
  readonly accountName?: string;
  readonly region: string;
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly severity: number;
  readonly band: SeverityBand;
  readonly resource: string;
  readonly actor: string;
  readonly count: number;
  readonly updatedAt: string;
  /** The finding in Yagura's web UI, when `publicUrl` is configured. */
  readonly link?: string;
}

export interface AlertMessage {
  readonly kind: AlertKind;
  readonly rule: { readonly id: string; readonly name: string };
  readonly findings: readonly AlertFinding[];
  /** Digests: how many findings matched in the period (the list may be shortened). */
  readonly total?: number;
  readonly period?: { readonly from: string; readonly to: string };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

function at(doc: unknown, ...path: Array<string | number>): unknown {
  let v = doc;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** A one-line name of the affected resource: type and its most telling identifier. */
export function resourceOf(doc: Record<string, unknown>): string {
  const r = doc.resource;
  const type = text(at(r, 'resourceType')) ?? 'unknown';
  const id =
    text(at(r, 'instanceDetails', 'instanceId')) ??
    text(at(r, 'accessKeyDetails', 'userName')) ??
    text(at(r, 's3BucketDetails', 0, 'name')) ??
    text(at(r, 'eksClusterDetails', 'name')) ??
    text(at(r, 'rdsDbInstanceDetails', 'dbInstanceIdentifier')) ??
    text(at(r, 'lambdaDetails', 'functionName')) ??
    text(at(r, 'ecsClusterDetails', 'name'));
  return id ? `${type} ${id}` : type;
}

/** Who acted: the remote address (and its organisation) or the calling principal. */
export function actorOf(doc: Record<string, unknown>): string {
  const action = at(doc, 'service', 'action');
  const remote =
    at(action, 'networkConnectionAction', 'remoteIpDetails') ??
    at(action, 'awsApiCallAction', 'remoteIpDetails') ??
    at(action, 'kubernetesApiCallAction', 'remoteIpDetails') ??
    at(action, 'rdsLoginAttemptAction', 'remoteIpDetails') ??
    at(action, 'portProbeAction', 'portProbeDetails', 0, 'remoteIpDetails');
  const ip = text(at(remote, 'ipAddressV4')) ?? text(at(remote, 'ipAddressV6'));
  const org = text(at(remote, 'organization', 'asnOrg'));
  const caller = text(at(action, 'awsApiCallAction', 'callerType'));
  const user = text(at(doc, 'resource', 'accessKeyDetails', 'principalId'));
  const parts = [ip && (org ? `${ip} (${org})` : ip), caller, user].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(', ') : 'unknown';
}

/** Where the web UI shows a finding: `${publicUrl}/#/findings/<accountId>/<region>/<id>`. */
export function findingLink(publicUrl: string | undefined, key: { accountId: string; region: string; id: string }): string | undefined {
  if (publicUrl === undefined) return undefined;
  const base = publicUrl.replace(/\/+$/, '');
  return `${base}/#/findings/${encodeURIComponent(key.accountId)}/${encodeURIComponent(key.region)}/${encodeURIComponent(key.id)}`;
}

export function alertFinding(record: FindingRecord, accounts: AccountCatalog, publicUrl: string | undefined): AlertFinding {
  const doc = record.doc;
  const name = accounts.nameOf(record.key.accountId);
  const link = findingLink(publicUrl, record.key);
  const severity = typeof doc.severity === 'number' ? doc.severity : 0;
  return {
    ...record.key,
    ...(name !== undefined && { accountName: name }),
    type: text(doc.type) ?? 'unknown',
    title: text(doc.title) ?? text(doc.type) ?? 'GuardDuty finding',
    severity,
    band: record.derived.band,
    resource: resourceOf(doc),
    actor: actorOf(doc),
    count: typeof at(doc, 'service', 'count') === 'number' ? (at(doc, 'service', 'count') as number) : 1,
    updatedAt: text(doc.updatedAt) ?? new Date(record.derived.lastSeen).toISOString(),
    ...(link !== undefined && { link }),
  };
}

/** Headline shared by every channel (still attacker text: each sink escapes it). */
export function headline(message: AlertMessage): string {
  const f = message.findings[0];
  switch (message.kind) {
    case 'digest':
      return `Digest: ${message.total ?? message.findings.length} finding(s) matched "${message.rule.name}"`;
    case 'test':
      return `Test message from Yagura for "${message.rule.name}"`;
    case 'escalation':
      return `Escalated to ${f?.band ?? ''}: ${f?.title ?? ''}`;
    case 'count':
      return `${f?.band ?? ''} finding seen ${f?.count ?? 0} times: ${f?.title ?? ''}`;
    case 'new':
      return `${f?.band ?? ''} finding: ${f?.title ?? ''}`;
  }
}

/** The band colours every channel uses (Slack attachment colour, Teams accent, email border). */
export const BAND_COLOURS: Readonly<Record<SeverityBand, string>> = {
  Low: '#2f80ed',
  Medium: '#f2c94c',
  High: '#f2994a',
  Critical: '#eb5757',
};
