// Validates one candidate GuardDuty finding and reads its facts; the document itself is kept as sent.
import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { checkShape, type ShapeLimits, DEFAULT_SHAPE_LIMITS } from './document-shape.js';
import { at, freeText, remoteParties, resourceId } from './facts.js';
import { pathValues } from './path-values.js';
import type { Finding, FindingDocument } from './finding.js';
import { rejection, type FindingRejection } from './finding-error.js';
import { severityBand } from './severity.js';
import { parseTimestamp } from './timestamp.js';

/** GuardDuty's largest findings are tens of kilobytes; EventBridge caps events at 256 KiB. */
const MAX_DOCUMENT_CHARS = 1024 * 1024;

const canonicalJson = configure({ deterministic: true, circularValue: Error, bigint: false });

/** Account ids become archive path segments: digits, letters and dashes only (never `.` or `/`). */
const ACCOUNT_ID = /^[A-Za-z0-9-]{1,64}$/;
const REGION = /^[a-z0-9-]{2,32}$/;
/** Finding ids appear in URLs and ARNs; GuardDuty's are 32 hex characters, samples use names. */
const FINDING_ID = /^[A-Za-z0-9._:@+=-]{1,256}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export type NormalizeResult = { readonly ok: true; readonly finding: Finding } | { readonly ok: false; readonly error: FindingRejection };

function fail(error: FindingRejection): NormalizeResult {
  return { ok: false, error };
}

function requiredString(doc: FindingDocument, field: string, pattern: RegExp | undefined, hint: string): string | FindingRejection {
  const value = doc[field];
  if (value === undefined || value === null || value === '') {
    return rejection('MISSING_FIELD', `the finding has no "${field}"`);
  }
  if (typeof value !== 'string') {
    return rejection('INVALID_FIELD', `"${field}" must be a string, not ${describe(value)}`);
  }
  if (pattern ? !pattern.test(value) : value.length > 512 || CONTROL_CHARS.test(value)) {
    return rejection('INVALID_FIELD', `"${field}" is not a valid ${hint}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** A canonical content hash: the same document with keys in any order is the same version. */
export function contentHash(doc: FindingDocument): string {
  return createHash('sha256').update(canonicalJson(doc) ?? '').digest('base64url');
}

/**
 * Validates a bare GuardDuty finding. Requires `id`, `accountId`, `region`, `type`, a numeric `severity`
 * and a parseable `updatedAt`; everything else GuardDuty may add is kept verbatim and unchecked.
 * `shape` is `'checked'` when the caller already passed a value containing `candidate` through `checkShape`
 * with the default limits (a delivered envelope and the finding inside it are checked once, not twice).
 */
export function normalizeFinding(candidate: unknown, shape: ShapeLimits | 'checked' = DEFAULT_SHAPE_LIMITS): NormalizeResult {
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    return fail(rejection('NOT_AN_OBJECT', `a finding must be a JSON object, not ${describe(candidate)}`));
  }
  if (shape !== 'checked') {
    const wrong = checkShape(candidate, shape);
    if (wrong) return fail(wrong);
  }
  const doc = candidate as FindingDocument;
  let json: string;
  try {
    json = JSON.stringify(doc);
  } catch {
    // Only values built in code (BigInt, cycles) get here; parsed JSON always serialises.
    return fail(rejection('NOT_AN_OBJECT', 'the finding is not a JSON document'));
  }
  if (json.length > MAX_DOCUMENT_CHARS) {
    return fail(rejection('DOCUMENT_TOO_LARGE', `the finding is larger than ${MAX_DOCUMENT_CHARS} characters of JSON`));
  }

  const id = requiredString(doc, 'id', FINDING_ID, 'finding id (letters, digits and ._:@+=- only)');
  if (typeof id !== 'string') return fail(id);
  const accountId = requiredString(doc, 'accountId', ACCOUNT_ID, 'account id');
  if (typeof accountId !== 'string') return fail(accountId);
  const region = requiredString(doc, 'region', REGION, 'region name');
  if (typeof region !== 'string') return fail(region);
  const type = requiredString(doc, 'type', undefined, 'finding type');
  if (typeof type !== 'string') return fail(type);

  const severity = doc.severity;
  if (severity === undefined || severity === null) return fail(rejection('MISSING_FIELD', 'the finding has no "severity"'));
  if (typeof severity !== 'number' || !Number.isFinite(severity) || severity < 0 || severity > 10) {
    const shown = typeof severity === 'number' || typeof severity === 'string' ? JSON.stringify(severity).slice(0, 40) : describe(severity);
    return fail(rejection('INVALID_FIELD', `"severity" must be a number from 0 to 10, not ${shown}`));
  }
  if (doc.updatedAt === undefined || doc.updatedAt === null) {
    return fail(rejection('MISSING_FIELD', 'the finding has no "updatedAt"'));
  }
  const updatedAt = parseTimestamp(doc.updatedAt);
  if (updatedAt === undefined) return fail(rejection('INVALID_FIELD', '"updatedAt" is not a date'));
  const createdAt = doc.createdAt === undefined || doc.createdAt === null ? undefined : parseTimestamp(doc.createdAt);
  if (createdAt === undefined && doc.createdAt !== undefined && doc.createdAt !== null) {
    return fail(rejection('INVALID_FIELD', '"createdAt" is not a date'));
  }

  const rawCount = at(doc, 'service.count');
  if (rawCount !== undefined && rawCount !== null && (typeof rawCount !== 'number' || !Number.isFinite(rawCount) || rawCount < 0)) {
    return fail(rejection('INVALID_FIELD', '"service.count" must be a non-negative number'));
  }
  const count = typeof rawCount === 'number' ? Math.min(Math.floor(rawCount), Number.MAX_SAFE_INTEGER) : 1;
  const sampleFlag = at(doc, 'service.additionalInfo.sample');
  const parties = remoteParties(doc);
  const title = typeof doc.title === 'string' ? doc.title : undefined;
  const arn = typeof doc.arn === 'string' ? doc.arn : undefined;
  const resourceType = at(doc, 'resource.resourceType');
  const actionType = at(doc, 'service.action.actionType');

  return {
    ok: true,
    finding: {
      key: { accountId, region, id },
      doc,
      json,
      type,
      severity,
      band: severityBand(severity),
      title,
      arn,
      createdAt,
      updatedAt,
      count,
      archived: at(doc, 'service.archived') === true,
      sample: sampleFlag === true || sampleFlag === 'true',
      resourceType: typeof resourceType === 'string' ? resourceType : undefined,
      actionType: typeof actionType === 'string' ? actionType : undefined,
      resourceId: resourceId(doc, typeof resourceType === 'string' ? resourceType : undefined),
      remoteParties: parties,
      pathValues: pathValues(doc),
      text: freeText(doc, parties),
      hash: contentHash(doc),
    },
  };
}
