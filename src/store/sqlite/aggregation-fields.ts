// Which catalogue fields aggregations may group on (columns, not document paths), and the SQL that reads each.
import { AggregationError } from '../aggregation.js';
import { SEVERITY_BANDS } from '../../findings/severity.js';
import { CATALOG_FIELDS, resolveField, type FieldType } from '../../query/fields.js';
import { COLUMN_SQL, REMOTE_SQL } from './fields.js';

export interface AggregationField {
  readonly sql: string;
  readonly type: FieldType;
  /** The remote-party fields live in their own table, one row per (finding, ip). */
  readonly joinsRemoteIps?: true;
}

/** Identity columns make no useful buckets and would only cost memory. */
const NOT_AGGREGATABLE = new Set(['id', 'arn']);

/** The aggregatable fields, for error messages. */
export const AGGREGATION_FIELD_NAMES: readonly string[] = CATALOG_FIELDS.filter((n) => !NOT_AGGREGATABLE.has(n));

export function aggregationField(name: string): AggregationField {
  const field = NOT_AGGREGATABLE.has(name) ? undefined : resolveField(name);
  if (field?.kind === 'column') return { sql: `f.${COLUMN_SQL[field.column]}`, type: field.type };
  if (field?.kind === 'remote') return { sql: `r.${REMOTE_SQL[field.column]}`, type: 'text', joinsRemoteIps: true };
  throw new AggregationError(`"${name.slice(0, 100)}" cannot be aggregated; use one of ${AGGREGATION_FIELD_NAMES.join(', ')}`);
}

/** A bucket key as the API shows it: band names instead of ranks, booleans as true/false. */
export function presentKey(field: AggregationField, raw: unknown): string | number {
  if (field.type === 'band') return SEVERITY_BANDS[Number(raw) - 1] ?? String(raw);
  if (field.type === 'boolean') return raw === 1 ? 'true' : 'false';
  return typeof raw === 'number' ? raw : String(raw);
}
