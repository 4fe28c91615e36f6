// The findings stored before any hostile case runs; every case must leave them exactly as they are.
import { findingDoc } from '../fixtures/findings.js';

export interface Seed {
  readonly key: { readonly accountId: string; readonly region: string; readonly id: string };
  /** One NDJSON line per stored version, oldest first, as sent (some carry numbers JSON.stringify cannot write). */
  readonly lines: readonly string[];
}

/** A count far beyond Number.MAX_SAFE_INTEGER, written as GuardDuty would never write it. */
export const HUGE_COUNT = '123456789012345678901234567890';

function seed(doc: Record<string, unknown>, line = JSON.stringify(doc)): { key: Seed['key']; line: string } {
  return { key: { accountId: doc.accountId as string, region: doc.region as string, id: doc.id as string }, line };
}

/** Five findings: plain ones, one with two versions, one with odd but valid text, one with a huge count. */
export function seeds(): Seed[] {
  const plain = seed(findingDoc({ id: 'seed-tor' }));
  const probe = seed(findingDoc({
    id: 'seed-probe',
    accountId: '210987654321',
    region: 'eu-west-1',
    type: 'Recon:EC2/PortProbeUnprotectedPort',
    severity: 2,
    ip: '203.0.113.9',
    updatedAt: '2026-11-21T09:30:00.000Z',
  }));
  const v1 = seed(findingDoc({ id: 'seed-versions', count: 1, updatedAt: '2026-11-20T08:00:00.000Z' }));
  const v2 = seed(findingDoc({ id: 'seed-versions', count: 5, updatedAt: '2026-11-22T08:00:00.000Z' }));
  const odd = seed(findingDoc({
    id: 'seed-odd',
    region: 'ap-northeast-1',
    severity: 9.5,
    title: 'NUL \u0000 CRLF \r\nSet-Cookie: seeded=1; \u202e RTL, 櫓 and 🛡 in a title',
  }));
  const hugeDoc = findingDoc({ id: 'seed-huge-count', count: 424242 });
  const huge = seed(hugeDoc, JSON.stringify(hugeDoc).replace('"count":424242', `"count":${HUGE_COUNT}`));
  return [
    { key: plain.key, lines: [plain.line] },
    { key: probe.key, lines: [probe.line] },
    { key: v1.key, lines: [v1.line, v2.line] },
    { key: odd.key, lines: [odd.line] },
    { key: huge.key, lines: [huge.line] },
  ];
}

/** The current (last) version of a seed, as sent. */
export function currentLine(s: Seed): string {
  return s.lines[s.lines.length - 1]!;
}

export function seedNamed(list: readonly Seed[], id: string): Seed {
  const found = list.find((s) => s.key.id === id);
  if (found === undefined) throw new Error(`no seed ${id}`);
  return found;
}
