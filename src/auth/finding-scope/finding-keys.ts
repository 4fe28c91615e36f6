// The condition keys whose value depends on the finding a request reads, and the finding's ARN as policies see it.
import type { RequestContext } from '../policy/document.js';

/** What a policy can test about one finding: its identity and the fields the scope compiles into store queries. */
export interface FindingFacts {
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly type: string;
  readonly severity: number;
  readonly band: string;
}

/** Keys that vary from finding to finding (lower-cased, as context lookups compare them). */
export const FINDING_KEYS = {
  account: 'aws:resourceaccount',
  region: 'aws:requestedregion',
  type: 'yagura:findingtype',
  severity: 'yagura:findingseverity',
  band: 'yagura:severityband',
} as const;

/** `aws:ResourceTag/<key>`: the catalog tags of the finding's account. */
export const RESOURCE_TAG_PREFIX = 'aws:resourcetag/';

export function isFindingKey(key: string): boolean {
  const k = key.toLowerCase();
  return k.startsWith(RESOURCE_TAG_PREFIX) || Object.values(FINDING_KEYS).includes(k as (typeof FINDING_KEYS)[keyof typeof FINDING_KEYS]);
}

/** The partition an AWS region belongs to. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The finding's ARN for policy matching, built from its identity rather than read from the document (whose `arn`
 * is attacker-controlled text). The detector is not part of a finding's identity, so it reads `-`: policies
 * match findings with `detector/*` (the scope compiler refuses a pattern that names a detector).
 */
export function findingArn(f: Pick<FindingFacts, 'accountId' | 'region' | 'id'>): string {
  return `arn:${partitionOf(f.region)}:guardduty:${f.region}:${f.accountId}:detector/-/finding/${f.id}`;
}

/** The finding's part of a request context: the keys above, and its account's catalog tags. */
export function findingContext(f: FindingFacts, accountTags: Readonly<Record<string, string>> = {}): RequestContext {
  const context: Record<string, string> = {
    'aws:ResourceAccount': f.accountId,
    'aws:RequestedRegion': f.region,
    'yagura:FindingType': f.type,
    'yagura:FindingSeverity': String(f.severity),
    'yagura:SeverityBand': f.band,
  };
  for (const [key, value] of Object.entries(accountTags)) context[`aws:ResourceTag/${key}`] = value;
  return context;
}
