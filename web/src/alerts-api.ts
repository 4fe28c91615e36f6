// Alerting as the API answers it: rules, destinations (secrets redacted), deliveries and dry runs.
import { ApiFailure } from './api.js';

export type Trigger =
  | { readonly kind: 'new' }
  | { readonly kind: 'escalation' }
  | { readonly kind: 'count'; readonly threshold: number }
  | { readonly kind: 'digest'; readonly schedule: string; readonly timezone: string };

export interface Route {
  readonly destination: string;
  readonly accounts?: string[];
  readonly accountNames?: string[];
  readonly accountTags?: string[];
}

export interface RuleSpec {
  readonly name: string;
  readonly enabled: boolean;
  readonly query: string;
  readonly minBand: string;
  readonly accounts?: string[];
  readonly regions?: string[];
  readonly groupBy: string;
  readonly trigger: Trigger;
  readonly throttleSeconds: number;
  readonly includeSample: boolean;
  readonly includeArchived: boolean;
  readonly routes: Route[];
}

export interface AlertRule extends RuleSpec {
  readonly id: string;
  /** ARN of the principal whose read permissions the rule fires within. */
  readonly owner: string;
  /** Suspended (firing on nothing) while the owner is gone or its policies cannot be enforced. */
  readonly status: { readonly state: 'active' | 'suspended'; readonly reason?: string };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const DESTINATION_TYPES = ['webhook', 'slack', 'teams', 'email'] as const;
export type DestinationType = (typeof DESTINATION_TYPES)[number];

/** A destination as listed: URLs shortened to `https://host/…/****`, secrets only as `secretSet`/`passwordSet`. */
export interface Destination {
  readonly id: string;
  readonly name: string;
  readonly type: DestinationType;
  readonly url?: string;
  readonly secretSet?: boolean;
  readonly host?: string;
  readonly port?: number;
  readonly security?: string;
  readonly username?: string;
  readonly passwordSet?: boolean;
  readonly from?: string;
  readonly to?: string[];
}

export interface AlertFinding {
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly band: string;
  readonly count: number;
  readonly updatedAt: string;
}

export interface Delivery {
  readonly id: number;
  readonly rule: string;
  readonly destination: string;
  readonly kind: string;
  /** `accountId/region/id`, null for digests and test messages. */
  readonly finding: string | null;
  readonly status: 'pending' | 'sent' | 'dead';
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly sentAt: string | null;
  readonly latencyMs: number | null;
  readonly lastError: string | null;
  readonly message: { readonly rule: { readonly name: string }; readonly findings: AlertFinding[]; readonly total?: number };
}

export interface DryRun {
  readonly from: string;
  readonly to: string;
  readonly matched: number;
  readonly alerts: Array<{ readonly kind: string; readonly groupKey: string; readonly at: string; readonly finding: AlertFinding }>;
  readonly truncated: boolean;
}

export interface TestResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

/** A failed call as a form shows it: the API's message, and the query position when it names one. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly position?: number;
}

export function problemOf(e: unknown): Problem {
  if (e instanceof ApiFailure) return { code: e.code, message: e.message, ...(e.position !== undefined && { position: e.position }) };
  return { code: 'NETWORK', message: 'the server cannot be reached' };
}

/** The dashboard path of a finding given as `accountId/region/id` (the id may itself hold a slash). */
export function findingHref(key: string): string {
  const [accountId = '', region = '', ...rest] = key.split('/');
  return `/findings/${[accountId, region, rest.join('/')].map(encodeURIComponent).join('/')}`;
}

export function triggerText(t: Trigger): string {
  switch (t.kind) {
    case 'count':
      return `count ≥ ${t.threshold}`;
    case 'digest':
      return `digest ${t.schedule} (${t.timezone})`;
    default:
      return t.kind;
  }
}
