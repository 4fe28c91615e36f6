// Finding documents for the conformance suite, built per test, and the orders the suite expects answers in.
import type { Finding, FindingKey } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';

export interface DocSpec {
  id?: string;
  accountId?: string;
  region?: string;
  type?: string;
  severity?: number;
  createdAt?: string;
  updatedAt?: string;
  count?: number;
  ip?: string;
  extra?: Record<string, unknown>;
}

/** A small EC2 network-connection finding; every field can be overridden, `extra` merged in at the top. */
export function doc(s: DocSpec = {}): Record<string, unknown> {
  const accountId = s.accountId ?? '111122223333';
  const region = s.region ?? 'us-east-1';
  const id = s.id ?? 'a1';
  return {
    schemaVersion: '2.0',
    accountId,
    region,
    id,
    arn: `arn:aws:guardduty:${region}:${accountId}:detector/d1/finding/${id}`,
    type: s.type ?? 'Recon:EC2/PortProbeUnprotectedPort',
    severity: s.severity ?? 2,
    createdAt: s.createdAt ?? '2026-11-01T00:00:00.000Z',
    updatedAt: s.updatedAt ?? '2026-11-01T00:00:00.000Z',
    title: `finding ${id}`,
    resource: { resourceType: 'Instance', instanceDetails: { instanceId: `i-${id}` } },
    service: {
      serviceName: 'guardduty',
      count: s.count ?? 1,
      archived: false,
      action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { remoteIpDetails: { ipAddressV4: s.ip ?? '198.51.100.1', country: { countryName: 'France' } } } },
    },
    ...s.extra,
  };
}

/** A validated finding from a document; throws if the fixture is not a valid finding. */
export function stored(document: Record<string, unknown>): Finding {
  const r = normalizeFinding(document);
  if (!r.ok) throw new Error(`conformance fixture is invalid: ${r.error.message}`);
  return r.finding;
}

export function f(s: DocSpec = {}): Finding {
  return stored(doc(s));
}

export const KEY: FindingKey = { accountId: '111122223333', region: 'us-east-1', id: 'a1' };
export const T0 = Date.parse('2026-11-10T00:00:00Z');

/** Text in the order every store sorts it: by Unicode code point (UTF-8 byte order), not by UTF-16 unit. */
export function byCodePoint(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
