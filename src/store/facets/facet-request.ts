// Which aggregation requests the in-memory facets take: groupings by the catalogue fields they hold, within the
// same limits as the SQL path (which words any error), and which facet holds each catalogue field.
import { resolveField, type QueryField } from '../../query/fields.js';
import { AGGREGATION_LIMITS as LIMITS, intervalMs, type Aggregation, type AggregationRequest } from '../aggregation.js';
import { REMOTE_FACETS, TEXT_FACETS, type RemoteFacet, type TextFacet } from './facet-columns.js';

export type FacetField =
  | { readonly kind: 'text'; readonly name: TextFacet }
  | { readonly kind: 'remote'; readonly name: RemoteFacet; readonly offset: number }
  | { readonly kind: 'band' }
  | { readonly kind: 'flag'; readonly name: 'archived' | 'sample' }
  | { readonly kind: 'number'; readonly name: 'severity' | 'updatedAt' };

/** The facet holding a catalogue field, or undefined when the facets do not hold it. */
export function facetOf(field: QueryField): FacetField | undefined {
  if (field.kind === 'remote') return { kind: 'remote', name: field.column, offset: REMOTE_FACETS.indexOf(field.column) };
  if (field.kind !== 'column') return undefined;
  const name = field.column;
  if ((TEXT_FACETS as readonly string[]).includes(name)) return { kind: 'text', name: name as TextFacet };
  if (name === 'band') return { kind: 'band' };
  if (name === 'archived' || name === 'sample') return { kind: 'flag', name };
  if (name === 'severity' || name === 'updatedAt') return { kind: 'number', name };
  return undefined;
}

/** The facet holding a KQL field name, or undefined when the facets do not hold it. */
export function facetField(name: string): FacetField | undefined {
  return facetOf(resolveField(name));
}

/**
 * True when the request's aggregations are ones the facets compute exactly like the SQL path does (whether
 * they can evaluate its query is facetPlan's answer).
 */
export function facetsCanAnswer(request: AggregationRequest): boolean {
  const entries = Object.values(request.aggs);
  if (entries.length === 0 || entries.length > LIMITS.aggregations) return false;
  return entries.every((agg) => takes(agg, 0));
}

function takes(agg: Aggregation, depth: number): boolean {
  const subs = 'aggs' in agg && agg.aggs !== undefined ? Object.values(agg.aggs) : [];
  if (subs.length > 0 && (depth > 0 || !subs.every((s) => takes(s, depth + 1)))) return false;
  if ('terms' in agg) {
    const size = agg.terms.size ?? 10;
    const field = facetField(agg.terms.field);
    return field !== undefined && !(field.kind === 'number' && field.name === 'updatedAt') && Number.isInteger(size) && size >= 1 && size <= LIMITS.terms;
  }
  if ('date_histogram' in agg) {
    const field = facetField(agg.date_histogram.field);
    if (field?.kind !== 'number' || field.name !== 'updatedAt') return false;
    try {
      intervalMs(agg.date_histogram.interval);
      return true;
    } catch {
      return false;
    }
  }
  if ('stats' in agg) {
    const kind = facetField(agg.stats.field)?.kind;
    return kind === 'number' || kind === 'band';
  }
  if ('range' in agg) {
    const kind = facetField(agg.range.field)?.kind;
    return (kind === 'number' || kind === 'band') && agg.range.ranges.length > 0 && agg.range.ranges.length <= LIMITS.ranges;
  }
  return false;
}

