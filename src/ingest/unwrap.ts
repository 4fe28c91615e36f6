// Finds the GuardDuty findings inside what a source delivers: EventBridge events, GetFindings pages, bare findings.
import { rejection, type FindingRejection } from '../findings/finding-error.js';

/** What one delivered item turned out to be. `path` says where inside the item, e.g. `detail` or `findings[2]`. */
export type Unwrapped =
  | { readonly kind: 'candidate'; readonly value: unknown; readonly path: string }
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly error: FindingRejection };

const FINDING_DETAIL_TYPE = 'GuardDuty Finding';
const MAX_FINDINGS_PER_PAGE = 10_000;

/** A short, safe rendering of an attacker-controlled value for a message (never calls its methods). */
function label(value: unknown): string {
  return typeof value === 'string' ? `"${value.slice(0, 64)}"` : `a ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Classifies one item. EventBridge events (full or partial envelopes with `detail`) yield their detail when the
 * detail-type is `GuardDuty Finding`; other GuardDuty detail-types (CloudTrail API calls, malware scans, runtime
 * health) and other sources are ignored, never stored. `{"findings":[...]}` yields each finding. Anything else is
 * a bare finding candidate, which validation accepts or rejects.
 */
export function unwrap(item: unknown): Unwrapped[] {
  if (!isObject(item)) return [{ kind: 'candidate', value: item, path: '' }];
  if (Object.hasOwn(item, 'detail') && (Object.hasOwn(item, 'detail-type') || Object.hasOwn(item, 'source') || Object.hasOwn(item, 'region'))) {
    const source = item.source;
    if (source !== undefined && source !== 'aws.guardduty') {
      return [{ kind: 'ignored', reason: `events from source ${label(source)} are not GuardDuty findings` }];
    }
    const detailType = item['detail-type'];
    if (detailType !== undefined && detailType !== FINDING_DETAIL_TYPE) {
      return [{ kind: 'ignored', reason: `${label(detailType)} events are not findings` }];
    }
    return [{ kind: 'candidate', value: item.detail, path: 'detail' }];
  }
  if (Object.hasOwn(item, 'findings') && Array.isArray(item.findings) && !Object.hasOwn(item, 'id')) {
    if (item.findings.length > MAX_FINDINGS_PER_PAGE) {
      return [{ kind: 'rejected', error: rejection('DOCUMENT_TOO_LARGE', `a findings page holds at most ${MAX_FINDINGS_PER_PAGE} findings`) }];
    }
    return item.findings.map((value, i) => ({ kind: 'candidate', value, path: `findings[${i}]` }));
  }
  return [{ kind: 'candidate', value: item, path: '' }];
}
