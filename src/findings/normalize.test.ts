// What counts as a valid GuardDuty finding, and what Yagura reads from one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contentHash, normalizeFinding } from './normalize.js';
import { severityBand } from './severity.js';
import { parseTimestamp } from './timestamp.js';

const base = {
  schemaVersion: '2.0',
  accountId: '123456789012',
  region: 'us-east-1',
  id: '16afba5c5c43e07c9e3e5e2e544e95df',
  type: 'Recon:EC2/PortProbeUnprotectedPort',
  severity: 2,
  updatedAt: '2024-05-01T10:00:00.000Z',
};

describe('normalizeFinding', () => {
  test('reads the facts Yagura indexes without changing the document', () => {
    const doc = {
      ...base,
      title: 'Unprotected port on EC2 instance i-05746eb48123455e0 is being probed',
      resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-05746eb48123455e0' } },
      service: {
        count: 4,
        archived: true,
        additionalInfo: { sample: true },
        action: {
          actionType: 'PORT_PROBE',
          portProbeAction: {
            portProbeDetails: [
              { remoteIpDetails: { ipAddressV4: '198.51.100.1', country: { countryName: 'Brazil' }, organization: { asnOrg: 'Example AS' } } },
              { remoteIpDetails: { ipAddressV4: '198.51.100.2' } },
              { remoteIpDetails: { ipAddressV4: '198.51.100.1' } },
            ],
          },
        },
      },
    };
    const copy = structuredClone(doc);
    const r = normalizeFinding(doc);
    assert.ok(r.ok);
    assert.deepEqual(doc, copy);
    const f = r.finding;
    assert.deepEqual(f.key, { accountId: '123456789012', region: 'us-east-1', id: base.id });
    assert.equal(f.band, 'Low');
    assert.equal(f.count, 4);
    assert.equal(f.archived, true);
    assert.equal(f.sample, true);
    assert.equal(f.resourceType, 'Instance');
    assert.equal(f.actionType, 'PORT_PROBE');
    assert.deepEqual(f.remoteParties, [{ ip: '198.51.100.1', country: 'Brazil', org: 'Example AS' }, { ip: '198.51.100.2' }]);
    assert.match(f.text, /i-05746eb48123455e0/);
    assert.match(f.text, /198\.51\.100\.2/);
  });

  test('gives the same hash to the same document with keys in another order', () => {
    const reordered = Object.fromEntries(Object.entries(base).reverse());
    assert.equal(contentHash(base), contentHash(reordered));
    assert.notEqual(contentHash(base), contentHash({ ...base, severity: 3 }));
  });

  test('defaults service.count to 1 and accepts findings without resource or service', () => {
    const r = normalizeFinding(base);
    assert.ok(r.ok);
    assert.equal(r.finding.count, 1);
    assert.equal(r.finding.resourceType, undefined);
    assert.deepEqual(r.finding.remoteParties, []);
  });

  test('rejects each missing required field by name', () => {
    for (const field of ['id', 'accountId', 'region', 'type', 'severity', 'updatedAt'] as const) {
      const doc: Record<string, unknown> = { ...base };
      delete doc[field];
      const r = normalizeFinding(doc);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'MISSING_FIELD');
      assert.match(r.error.message, new RegExp(`"${field}"`));
    }
  });

  test('rejects wrong types and values that would be unsafe as archive path segments', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...base, severity: '2' }, 'severity'],
      [{ ...base, severity: Number.NaN }, 'severity'],
      [{ ...base, severity: 11 }, 'severity'],
      [{ ...base, updatedAt: 'not a date' }, 'updatedAt'],
      [{ ...base, updatedAt: '2024-13-45T00:00:00Z' }, 'updatedAt'],
      [{ ...base, createdAt: {} }, 'createdAt'],
      [{ ...base, accountId: 123456789012 }, 'accountId'],
      [{ ...base, accountId: '..' }, 'accountId'],
      [{ ...base, region: 'us-east-1\u0000' }, 'region'],
      [{ ...base, id: 'a/b' }, 'id'],
      [{ ...base, type: 'x\r\nInjected: header' }, 'type'],
      [{ ...base, service: { count: -1 } }, 'service.count'],
    ];
    for (const [doc, field] of bad) {
      const r = normalizeFinding(doc);
      assert.ok(!r.ok, field);
      assert.equal(r.error.code, 'INVALID_FIELD', field);
      assert.ok(r.error.message.includes(field), `${field}: ${r.error.message}`);
    }
  });

  test('rejects prototype-polluting keys at any depth and never pollutes Object.prototype', () => {
    for (const text of ['{"__proto__":{"x":1}}', '{"a":[{"constructor":{"prototype":{"x":1}}}]}', '{"prototype":1}']) {
      const r = normalizeFinding({ ...base, extra: JSON.parse(text) as unknown });
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'FORBIDDEN_KEY');
    }
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  test('rejects nesting deeper than the limit without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const r = normalizeFinding({ ...base, extra: deep });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'NESTING_TOO_DEEP');
  });

  test('rejects non-objects', () => {
    for (const v of [null, 1, 'x', [base], true]) {
      const r = normalizeFinding(v);
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'NOT_AN_OBJECT');
    }
  });
});

describe('severity bands', () => {
  test('follow PRODUCT.md: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0', () => {
    const cases: Array<[number, string]> = [[1, 'Low'], [3.9, 'Low'], [4, 'Medium'], [6.9, 'Medium'], [7, 'High'], [8.9, 'High'], [9, 'Critical'], [10, 'Critical']];
    for (const [s, band] of cases) assert.equal(severityBand(s), band, String(s));
  });
});

describe('parseTimestamp', () => {
  test('reads the timestamp shapes GuardDuty data really has', () => {
    assert.equal(parseTimestamp('2023-03-20T15:33:12.424Z'), Date.UTC(2023, 2, 20, 15, 33, 12, 424));
    assert.equal(parseTimestamp('2025-02-25 20:40:06.721'), Date.UTC(2025, 1, 25, 20, 40, 6, 721));
    assert.equal(parseTimestamp('2020-01-02T01:02:03Z'), Date.UTC(2020, 0, 2, 1, 2, 3));
    assert.equal(parseTimestamp('2020-01-02T01:02:03+02:00'), Date.UTC(2020, 0, 1, 23, 2, 3));
    assert.equal(parseTimestamp(1636625755.218), 1636625755218);
    assert.equal(parseTimestamp(1.507656063e12), 1507656063000);
  });

  test('refuses what is not a date', () => {
    for (const v of ['yesterday', '2024-02-30T99:00:00Z', '', 'x'.repeat(1000), Number.POSITIVE_INFINITY, -5, true, null, {}]) {
      assert.equal(parseTimestamp(v), undefined, String(v).slice(0, 20));
    }
  });
});
