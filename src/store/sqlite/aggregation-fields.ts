// Which fields aggregations may group on, and the SQL that reads each from a findings row.
import { AggregationError } from '../aggregation.js';
import { SEVERITY_BANDS } from '../../findings/severity.js';

export type FieldKind = 'keyword' | 'number' | 'date' | 'band' | 'boolean';

export interface AggregationField {
  readonly sql: string;
  readonly kind: FieldKind;
  /** The remote-party fields live in their own table, one row per (finding, ip). */
  readonly joinsRemoteIps?: true;
}

const FIELDS: Readonly<Record<string, AggregationField>> = {
  accountId: { sql: 'f.account_id', kind: 'keyword' },
  region: { sql: 'f.region', kind: 'keyword' },
  type: { sql: 'f.type', kind: 'keyword' },
  title: { sql: 'f.title', kind: 'keyword' },
  'resource.resourceType': { sql: 'f.resource_type', kind: 'keyword' },
  'service.action.actionType': { sql: 'f.action_type', kind: 'keyword' },
  band: { sql: 'f.band', kind: 'band' },
  severity: { sql: 'f.severity', kind: 'number' },
  'service.count': { sql: 'f.count', kind: 'number' },
  versions: { sql: 'f.versions', kind: 'number' },
  'service.archived': { sql: 'f.archived', kind: 'boolean' },
  'service.additionalInfo.sample': { sql: 'f.sample', kind: 'boolean' },
  updatedAt: { sql: 'f.updated_at', kind: 'date' },
  createdAt: { sql: 'f.created_at', kind: 'date' },
  firstSeen: { sql: 'f.first_seen', kind: 'date' },
  lastSeen: { sql: 'f.last_seen', kind: 'date' },
  remoteIp: { sql: 'r.ip', kind: 'keyword', joinsRemoteIps: true },
  remoteCountry: { sql: 'r.country', kind: 'keyword', joinsRemoteIps: true },
  remoteOrg: { sql: 'r.org', kind: 'keyword', joinsRemoteIps: true },
};

const ALIASES: Readonly<Record<string, string>> = {
  severityBand: 'band',
  resourceType: 'resource.resourceType',
  actionType: 'service.action.actionType',
  count: 'service.count',
  archived: 'service.archived',
  sample: 'service.additionalInfo.sample',
};

/** The aggregatable fields, for error messages and the API document. */
export const AGGREGATION_FIELD_NAMES: readonly string[] = [...Object.keys(FIELDS), ...Object.keys(ALIASES)].sort();

export function aggregationField(name: string): AggregationField {
  const field = FIELDS[ALIASES[name] ?? name];
  if (field === undefined) {
    throw new AggregationError(`"${name.slice(0, 100)}" cannot be aggregated; use one of ${AGGREGATION_FIELD_NAMES.join(', ')}`);
  }
  return field;
}

/** A bucket key as the API shows it: band names instead of ranks, booleans as true/false. */
export function presentKey(field: AggregationField, raw: unknown): string | number {
  if (field.kind === 'band') return SEVERITY_BANDS[Number(raw) - 1] ?? String(raw);
  if (field.kind === 'boolean') return raw === 1 ? 'true' : 'false';
  return typeof raw === 'number' ? raw : String(raw);
}
