// Finds the GuardDuty findings inside what a source delivers: EventBridge events, SNS notifications, GetFindings pages, bare findings.
import { rejection, type FindingRejection } from '../findings/finding-error.js';
import { isAsffFinding, isAsffPage, isSecurityHubFindingsEvent, securityHubRejection } from './security-hub.js';
import { snsMessages } from './sns.js';

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

function candidate(value: unknown, path: string): Unwrapped {
  if (isAsffFinding(value)) return { kind: 'rejected', error: securityHubRejection(value) };
  return { kind: 'candidate', value, path };
}

/**
 * The detail with the envelope's `region` and `account` where it has none (a partial envelope, a hand-made
 * event): EventBridge sets both on every event, for the account and region the event came from. A detail's own
 * values always win, and a disagreement is not an error: a delegated administrator's bus receives its members'
 * findings under its own `account`, and GuardDuty reports global-service findings in a region other than the
 * one the event came from. The copy is what is stored, so the archive can be read back like an export.
 */
function withEnvelopeScope(detail: unknown, envelope: Record<string, unknown>): unknown {
  if (!isObject(detail)) return detail;
  const region = !Object.hasOwn(detail, 'region') && typeof envelope.region === 'string' ? { region: envelope.region } : undefined;
  const account = !Object.hasOwn(detail, 'accountId') && typeof envelope.account === 'string' ? { accountId: envelope.account } : undefined;
  return region === undefined && account === undefined ? detail : { ...detail, ...account, ...region };
}

function unwrapEvent(item: Record<string, unknown>): Unwrapped[] {
  const source = item.source;
  const detailType = item['detail-type'];
  if (isSecurityHubFindingsEvent(source, detailType)) {
    const findings = isObject(item.detail) && Array.isArray(item.detail.findings) ? item.detail.findings : [];
    return [{ kind: 'rejected', error: securityHubRejection(findings[0]) }];
  }
  if (source !== undefined && source !== 'aws.guardduty') {
    return [{ kind: 'ignored', reason: `events from source ${label(source)} are not GuardDuty findings` }];
  }
  if (detailType !== undefined && detailType !== FINDING_DETAIL_TYPE) {
    return [{ kind: 'ignored', reason: `${label(detailType)} events are not findings` }];
  }
  return [candidate(withEnvelopeScope(item.detail, item), 'detail')];
}

/** The findings inside an SNS message: what it carries is classified as if delivered alone, but never another SNS wrapper. */
function unwrapSns(item: Record<string, unknown>): Unwrapped[] | undefined {
  const parts = snsMessages(item);
  if (parts === undefined) return undefined;
  return parts.flatMap((part): Unwrapped[] => {
    if (part.kind === 'rejected') return [part];
    if (isObject(part.value) && snsMessages(part.value) !== undefined) {
      return [{ kind: 'rejected', error: rejection('NOT_A_FINDING', `the SNS message (${part.path}) holds another SNS notification, which is not opened`) }];
    }
    return unwrapDocument(part.value).map((inner) => (inner.kind === 'candidate' ? { ...inner, path: inner.path === '' ? part.path : `${part.path} → ${inner.path}` } : inner));
  });
}

/** Everything but SNS: EventBridge events, Security Hub documents, GetFindings pages and bare findings. */
function unwrapDocument(item: unknown): Unwrapped[] {
  if (!isObject(item)) return [candidate(item, '')];
  if (Object.hasOwn(item, 'detail') && (Object.hasOwn(item, 'detail-type') || Object.hasOwn(item, 'source') || Object.hasOwn(item, 'region'))) {
    return unwrapEvent(item);
  }
  if (isAsffPage(item)) return [{ kind: 'rejected', error: securityHubRejection((item.Findings as unknown[]).find(isAsffFinding)) }];
  if (Object.hasOwn(item, 'findings') && Array.isArray(item.findings) && !Object.hasOwn(item, 'id')) {
    if (item.findings.length > MAX_FINDINGS_PER_PAGE) {
      return [{ kind: 'rejected', error: rejection('DOCUMENT_TOO_LARGE', `a findings page holds at most ${MAX_FINDINGS_PER_PAGE} findings`) }];
    }
    return item.findings.map((value, i) => candidate(value, `findings[${i}]`));
  }
  return [candidate(item, '')];
}

/**
 * Classifies one item. EventBridge events (full or partial envelopes with `detail`) yield their detail when the
 * detail-type is `GuardDuty Finding`; other GuardDuty detail-types (CloudTrail API calls, malware scans, runtime
 * health) and other sources are ignored, never stored. An SNS notification yields what its JSON message holds,
 * classified the same way. Security Hub findings (ASFF) are refused by name. `{"findings":[...]}` yields each
 * finding. Anything else is a bare finding candidate, which validation accepts or rejects.
 */
export function unwrap(item: unknown): Unwrapped[] {
  return (isObject(item) ? unwrapSns(item) : undefined) ?? unwrapDocument(item);
}
