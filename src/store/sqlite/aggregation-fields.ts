// Which catalogue fields aggregations may group on (columns, not document paths), and the SQL that reads each.
import { AggregationError } from '../aggregation.js';
import { SEVERITY_BANDS } from '../../findings/severity.js';
import { CATALOG_FIELDS, resolveField, type FieldType } from './fields.js';

export interface AggregationField {
  readonly sql: string;
  readonly type: FieldType;
  /** The remote-party fields live in their own table, one row per (finding, ip). */
  readonly joinsRemoteIps?: true;
}

/** Identity columns make no useful buckets and would only cost memory. */
const NOT_AGGREGATABLE = new Set(['id', 'arn']);

/**
 * Where each resource type keeps the identifier of the affected resource (GuardDuty's document paths). Chosen by
 * `resource.resourceType`, because other details ride along: an S3 finding also names the caller's access key.
 */
export const RESOURCE_ID_PATHS: Readonly<Record<string, string>> = {
  Instance: '$.resource.instanceDetails.instanceId',
  AccessKey: '$.resource.accessKeyDetails.accessKeyId',
  S3Bucket: '$.resource.s3BucketDetails[0].name',
  EKSCluster: '$.resource.eksClusterDetails.name',
  RDSDBInstance: '$.resource.rdsDbInstanceDetails.dbInstanceIdentifier',
  Lambda: '$.resource.lambdaDetails.functionName',
  ECSCluster: '$.resource.ecsClusterDetails.name',
  Container: '$.resource.containerDetails.name',
};

/** Fields computed from the document for aggregation only (the most affected resources of the overview). */
const DERIVED: ReadonlyMap<string, AggregationField> = new Map([
  ['resourceId', {
    sql: `(CASE f.resource_type ${Object.entries(RESOURCE_ID_PATHS).map(([type, p]) => `WHEN '${type}' THEN json_extract(f.doc, '${p}')`).join(' ')} END)`,
    type: 'text',
  }],
]);

/** The aggregatable fields, for error messages. */
export const AGGREGATION_FIELD_NAMES: readonly string[] = [...CATALOG_FIELDS.filter((n) => !NOT_AGGREGATABLE.has(n)), ...DERIVED.keys()];

export function aggregationField(name: string): AggregationField {
  const derived = DERIVED.get(name);
  if (derived) return derived;
  const field = NOT_AGGREGATABLE.has(name) ? undefined : resolveField(name);
  if (field?.kind === 'column') return { sql: `f.${field.column}`, type: field.type };
  if (field?.kind === 'remote') return { sql: `r.${field.column}`, type: 'text', joinsRemoteIps: true };
  throw new AggregationError(`"${name.slice(0, 100)}" cannot be aggregated; use one of ${AGGREGATION_FIELD_NAMES.join(', ')}`);
}

/** A bucket key as the API shows it: band names instead of ranks, booleans as true/false. */
export function presentKey(field: AggregationField, raw: unknown): string | number {
  if (field.type === 'band') return SEVERITY_BANDS[Number(raw) - 1] ?? String(raw);
  if (field.type === 'boolean') return raw === 1 ? 'true' : 'false';
  return typeof raw === 'number' ? raw : String(raw);
}
