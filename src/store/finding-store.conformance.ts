// The behaviour every FindingStore must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../findings/finding.js';
import { normalizeFinding } from '../findings/normalize.js';
import { parseQuery } from '../query/parser.js';
import type { FindingStore } from './finding-store.js';

export interface StoreHandle {
  readonly store: FindingStore;
  cleanup(): Promise<void>;
}

type DocSpec = { id?: string; accountId?: string; region?: string; type?: string; severity?: number; updatedAt?: string; count?: number; ip?: string; extra?: Record<string, unknown> };

function doc(s: DocSpec = {}): Record<string, unknown> {
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
    createdAt: '2026-11-01T00:00:00.000Z',
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

function f(s: DocSpec = {}): Finding {
  const r = normalizeFinding(doc(s));
  if (!r.ok) throw new Error(r.error.message);
  return r.finding;
}

const KEY = { accountId: '111122223333', region: 'us-east-1', id: 'a1' };
const T0 = Date.parse('2026-11-10T00:00:00Z');

/** Registers the conformance tests for one backend; `open` gives a fresh, empty store each time. */
export function describeFindingStore(name: string, open: () => Promise<StoreHandle>): void {
  const withStore = (title: string, body: (store: FindingStore) => Promise<void>): void => {
    test(title, async () => {
      const handle = await open();
      try {
        await body(handle.store);
      } finally {
        await handle.cleanup();
      }
    });
  };

  describe(`FindingStore conformance: ${name}`, () => {
    withStore('stores a new finding with its document verbatim, unknown fields included', async (store) => {
      const first = f({ extra: { futureField: { nested: [1, 'two', null] }, type2026: 'x' } });
      const result = await store.upsert([first], T0);
      assert.deepEqual(result.outcomes, ['created']);
      const got = await store.get(KEY);
      assert.ok(got);
      assert.deepEqual(got.doc, first.doc);
      assert.deepEqual(got.derived, { band: 'Low', firstSeen: T0, lastSeen: T0, versions: 1, archived: false });
      assert.equal(got.history.length, 1);
    });

    withStore('treats redelivery of the same version as a no-op, whatever the key order', async (store) => {
      await store.upsert([f()], T0);
      const reordered = normalizeFinding(Object.fromEntries(Object.entries(doc()).reverse()));
      assert.ok(reordered.ok);
      const again = await store.upsert([f(), reordered.finding], T0 + 1000);
      assert.deepEqual(again.outcomes, ['unchanged', 'unchanged']);
      assert.equal(again.archive.objects.length, 0);
      const got = await store.get(KEY);
      assert.equal(got?.derived.versions, 1);
      assert.equal(got?.derived.lastSeen, T0);
    });

    withStore('replaces the current version with a newer one and keeps the old one in history', async (store) => {
      await store.upsert([f({ count: 1 })], T0);
      const r = await store.upsert([f({ count: 5, updatedAt: '2026-11-02T00:00:00.000Z', severity: 8 })], T0 + 1);
      assert.deepEqual(r.outcomes, ['updated']);
      const got = await store.get(KEY);
      assert.equal((got?.doc.service as { count: number }).count, 5);
      assert.equal(got?.derived.band, 'High');
      assert.deepEqual(got?.history.map((v) => v.count), [1, 5]);
      assert.equal(got?.derived.firstSeen, T0);
      assert.equal(got?.derived.lastSeen, T0 + 1);
    });

    withStore('never lets an older version that arrives late overwrite a newer one', async (store) => {
      await store.upsert([f({ count: 9, updatedAt: '2026-11-03T00:00:00.000Z' })], T0);
      const r = await store.upsert([f({ count: 2, updatedAt: '2026-11-01T12:00:00.000Z' })], T0 + 1);
      assert.deepEqual(r.outcomes, ['history']);
      const got = await store.get(KEY);
      assert.equal((got?.doc.service as { count: number }).count, 9);
      assert.deepEqual(got?.history.map((v) => v.count), [2, 9]);
      assert.equal(got?.derived.versions, 2);
    });

    withStore('ends in the same state whatever order the versions arrive in', async (store) => {
      const versions = [1, 2, 3, 4, 5].map((c) => f({ count: c, updatedAt: `2026-11-0${c}T00:00:00.000Z` }));
      const orders = [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]];
      const states: unknown[] = [];
      for (const [n, order] of orders.entries()) {
        const id = `perm${n}`;
        for (const i of order) {
          const v = normalizeFinding({ ...versions[i]!.doc, id });
          assert.ok(v.ok);
          await store.upsert([v.finding], T0 + i);
          await store.upsert([v.finding], T0 + 100 + i); // and each one redelivered
        }
        const got = await store.get({ ...KEY, id });
        states.push({ count: (got?.doc.service as { count: number }).count, history: got?.history.map((h) => h.count), versions: got?.derived.versions });
      }
      for (const s of states) assert.deepEqual(s, { count: 5, history: [1, 2, 3, 4, 5], versions: 5 });
    });

    withStore('handles several versions of one finding inside one batch', async (store) => {
      const r = await store.upsert([f({ count: 1 }), f({ count: 3, updatedAt: '2026-11-03T00:00:00.000Z' }), f({ count: 1 })], T0);
      assert.deepEqual(r.outcomes, ['created', 'updated', 'unchanged']);
    });

    withStore('puts each new version in the open archive object of its account, region and day until it is sealed and confirmed', async (store) => {
      const first = await store.upsert([f({ id: 'a' }), f({ id: 'b' }), f({ id: 'c', region: 'eu-west-1' })], T0);
      assert.deepEqual(first.archive.objects, [], 'rolling objects are not handed back with the commit');
      await store.upsert([f({ id: 'd' }), f({ id: 'a' })], T0 + 1000);
      const open = await store.outbox.objects();
      const parts = open.map((o) => `${o.accountId}/${o.region}/${o.day}:${o.lines}`).sort();
      assert.deepEqual(parts, ['111122223333/eu-west-1/2026/11/10:1', '111122223333/us-east-1/2026/11/10:3'], 'a redelivery adds no line');
      assert.ok(open.every((o) => o.sealedAt === undefined && o.openedAt === T0 && o.bytes > 0));

      const usEast = open.find((o) => o.region === 'us-east-1')!;
      await store.outbox.seal([usEast.id], T0 + 2000);
      const read = async (): Promise<Uint8Array[]> => {
        const lines: Uint8Array[] = [];
        for await (const part of store.outbox.lines(usEast)) lines.push(...part);
        return lines;
      };
      const lines = await read();
      assert.deepEqual(lines.map((l) => (JSON.parse(Buffer.from(l).toString('utf8')) as { id: string }).id), ['a', 'b', 'd'], 'lines in commit order');
      assert.deepEqual(await read(), lines, 'the same lines every time');

      await store.upsert([f({ id: 'e' })], T0 + 3000);
      const after = await store.outbox.objects();
      assert.equal(after.length, 3, 'a version stored after the seal opens a new object');
      const next = after.find((o) => o.region === 'us-east-1' && o.id !== usEast.id)!;
      assert.notEqual(next.name, usEast.name);
      assert.equal(next.lines, 1);

      await store.outbox.confirm([usEast.id]);
      assert.deepEqual((await store.outbox.objects()).map((o) => o.id).sort(), after.filter((o) => o.id !== usEast.id).map((o) => o.id).sort());
    });

    withStore('seals an import batch in its own objects and hands their lines back with the commit', async (store) => {
      await store.upsert([f({ id: 'open1' })], T0);
      const r = await store.upsert([f({ id: 'a' }), f({ id: 'b' }), f({ id: 'c', region: 'eu-west-1' })], T0, { sealArchive: true });
      const parts = r.archive.objects.map((o) => `${o.accountId}/${o.region}/${o.day}:${o.lines.length}`).sort();
      assert.deepEqual(parts, ['111122223333/eu-west-1/2026/11/10:1', '111122223333/us-east-1/2026/11/10:2']);
      const recorded = await store.outbox.objects();
      assert.equal(recorded.length, 3);
      assert.equal(recorded.filter((o) => o.sealedAt !== undefined).length, 2, 'the open object is left as it was');
      await store.outbox.confirm(r.archive.objects.map((o) => o.id));
      assert.deepEqual((await store.outbox.objects()).map((o) => o.lines), [1]);
    });

    withStore('searches with KQL, a time range and a sort, and pages through every match exactly once', async (store) => {
      const batch: Finding[] = [];
      for (let i = 0; i < 57; i++) {
        batch.push(f({ id: `f${String(i).padStart(2, '0')}`, severity: (i % 10) + 0.5, updatedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + (i % 7) * 3_600_000).toISOString() }));
      }
      await store.upsert(batch, T0);
      const query = parseQuery('severity >= 5');
      const seen: string[] = [];
      let after;
      let pages = 0;
      do {
        const page = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, ...(after && { after }) });
        assert.equal(page.total, 27);
        const times = page.findings.map((r) => Date.parse(r.doc.updatedAt as string));
        assert.deepEqual(times, [...times].sort((a, b) => b - a));
        seen.push(...page.findings.map((r) => r.key.id));
        after = page.next;
        pages++;
      } while (after);
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, 27);
      const capped = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 20 });
      assert.deepEqual([capped.total, capped.totalRelation, capped.findings.length], [20, 'gte', 10]);
      const exact = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 27 });
      assert.deepEqual([exact.total, exact.totalRelation], [27, 'eq']);
      const ranged = await store.search({ query: parseQuery(''), from: Date.parse('2026-11-01T02:00:00Z'), to: Date.parse('2026-11-01T03:00:00Z'), size: 100, sort: { field: 'severity', order: 'asc' } });
      assert.ok(ranged.findings.every((r) => r.doc.updatedAt === '2026-11-01T02:00:00.000Z'));
      assert.equal(ranged.total, 8);
    });

    withStore('aggregates terms, date histograms, stats and ranges, nested one level', async (store) => {
      await store.upsert([
        f({ id: 'x1', type: 'A', severity: 2, ip: '198.51.100.1' }),
        f({ id: 'x2', type: 'A', severity: 8, ip: '198.51.100.1', updatedAt: '2026-11-01T05:00:00.000Z' }),
        f({ id: 'x3', type: 'B', severity: 9.5, ip: '203.0.113.9', updatedAt: '2026-11-01T05:30:00.000Z' }),
      ], T0);
      const result = await store.aggregate({
        query: parseQuery(''),
        from: Date.parse('2026-11-01T00:00:00Z'),
        to: Date.parse('2026-11-01T06:00:00Z'),
        aggs: {
          types: { terms: { field: 'type' }, aggs: { bands: { terms: { field: 'band' } } } },
          hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } },
          sev: { stats: { field: 'severity' } },
          ips: { terms: { field: 'remoteIp', size: 1 } },
          levels: { range: { field: 'severity', ranges: [{ to: 7, key: 'low' }, { from: 7 }] } },
        },
      });
      assert.equal(result.total, 3);
      const types = result.aggregations.types as unknown as { buckets: Array<{ key: string; doc_count: number; bands: { buckets: Array<{ key: string }> } }> };
      assert.deepEqual(types.buckets.map((b) => [b.key, b.doc_count]), [['A', 2], ['B', 1]]);
      assert.deepEqual(types.buckets[0]!.bands.buckets.map((b) => b.key).sort(), ['High', 'Low']);
      const hourly = result.aggregations.hourly as unknown as { buckets: Array<{ doc_count: number }> };
      assert.deepEqual(hourly.buckets.map((b) => b.doc_count), [1, 0, 0, 0, 0, 2]);
      assert.deepEqual(result.aggregations.sev, { count: 3, min: 2, max: 9.5, avg: 6.5, sum: 19.5 });
      assert.deepEqual(result.aggregations.ips, { buckets: [{ key: '198.51.100.1', doc_count: 2 }], sum_other_doc_count: 1 });
      const levels = result.aggregations.levels as unknown as { buckets: Array<{ key: string; doc_count: number }> };
      assert.deepEqual(levels.buckets.map((b) => [b.key, b.doc_count]), [['low', 1], ['7-*', 2]]);
    });

    withStore('tells which of a set of findings a query selects, with search semantics', async (store) => {
      await store.upsert([f({ id: 'm1', severity: 8 }), f({ id: 'm2', severity: 3 }), f({ id: 'm3', severity: 9, ip: '203.0.113.5' })], T0);
      const keys = ['m1', 'm2', 'm3', 'absent'].map((id) => ({ ...KEY, id }));
      const ids = async (q: string): Promise<string[]> => (await store.matching(parseQuery(q), keys)).map((r) => r.key.id).sort();
      assert.deepEqual(await ids('severity >= 7'), ['m1', 'm3']);
      assert.deepEqual(await ids('remoteIp:203.0.113.5 or finding'), ['m1', 'm2', 'm3']);
      assert.deepEqual(await ids('not band:High'), ['m2', 'm3']);
      assert.deepEqual(await store.matching(parseQuery(''), []), []);
    });

    withStore('archives and unarchives a finding until a newer GuardDuty version says otherwise', async (store) => {
      await store.upsert([f({ id: 'z1' }), f({ id: 'z2' })], T0);
      const z1 = { ...KEY, id: 'z1' };
      assert.equal(await store.setArchived(z1, true, 'analyst', T0 + 1), true);
      assert.equal((await store.get(z1))?.derived.archived, true);
      const archivedIds = async (): Promise<string[]> => (await store.search({ query: parseQuery('archived:true'), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((r) => r.key.id);
      assert.deepEqual(await archivedIds(), ['z1']);
      assert.equal(await store.setArchived(z1, false, 'analyst', T0 + 2), true);
      assert.deepEqual(await archivedIds(), []);
      await store.setArchived(z1, true, 'analyst', T0 + 3);
      await store.upsert([f({ id: 'z1', count: 2, updatedAt: '2026-11-06T00:00:00.000Z' })], T0 + 4);
      assert.equal((await store.get(z1))?.derived.archived, false);
      assert.equal(await store.setArchived({ ...KEY, id: 'absent' }, true, 'analyst', T0), false);
    });

    withStore('counts findings, not versions', async (store) => {
      await store.upsert([f({ id: 'n1' }), f({ id: 'n1', count: 2, updatedAt: '2026-11-05T00:00:00.000Z' }), f({ id: 'n2' })], T0);
      assert.equal(await store.count(), 2);
    });

    withStore('aggregations over remote parties follow each finding to its latest version and band', async (store) => {
      await store.upsert([f({ id: 'r1', ip: '198.51.100.9', severity: 2 })], T0);
      // Same remote party, later time, higher band: only the time and band change.
      await store.upsert([f({ id: 'r1', ip: '198.51.100.9', severity: 8, count: 5, updatedAt: '2026-11-10T00:00:00.000Z' })], T0 + 1);
      const inWindow = (from: string, to: string): Promise<unknown> => store
        .aggregate({ query: parseQuery('band:High'), from: Date.parse(from), to: Date.parse(to), aggs: { ips: { terms: { field: 'remoteIp' } } } })
        .then((r) => r.aggregations['ips']);
      assert.deepEqual(await inWindow('2026-11-09T00:00:00Z', '2026-11-11T00:00:00Z'), { buckets: [{ key: '198.51.100.9', doc_count: 1 }], sum_other_doc_count: 0 });
      assert.deepEqual(await inWindow('2026-10-31T00:00:00Z', '2026-11-02T00:00:00Z'), { buckets: [], sum_other_doc_count: 0 });
    });

    withStore('logs every new and updated version in commit order, with the band and count it replaced', async (store) => {
      const start = await store.lastChange();
      await store.upsert([f({ severity: 5, count: 1 })], T0);
      await store.upsert([f({ severity: 5, count: 1 })], T0 + 1); // redelivery: not logged
      await store.upsert([f({ severity: 8, count: 4, updatedAt: '2026-11-02T00:00:00.000Z' })], T0 + 2);
      await store.upsert([f({ severity: 2, count: 2, updatedAt: '2026-11-01T12:00:00.000Z' })], T0 + 3); // older: history only
      const changes = await store.changesSince(start, 100);
      assert.deepEqual(
        changes.map((c) => [c.outcome, c.band, c.previousBand, c.count, c.previousCount, c.at]),
        [
          ['created', 'Medium', undefined, 1, undefined, T0],
          ['updated', 'High', 'Medium', 4, 1, T0 + 2],
        ],
      );
      assert.ok(changes[0]!.seq < changes[1]!.seq);
      assert.deepEqual(changes[1]!.record.key, KEY);
      assert.equal(changes[1]!.record.derived.band, 'High');
      assert.equal(await store.lastChange(), changes[1]!.seq);
    });

    withStore('reads the change log in pages after a cursor', async (store) => {
      await store.upsert([1, 2, 3, 4, 5].map((n) => f({ id: `p${n}` })), T0);
      const first = await store.changesSince(0, 2);
      const rest = await store.changesSince(first[1]!.seq, 100);
      assert.deepEqual([...first, ...rest].map((c) => c.record.key.id), ['p1', 'p2', 'p3', 'p4', 'p5']);
    });

    withStore('finds a finding by the words of its current version only, when versions arrive in one batch or in several', async (store) => {
      const words = async (q: string): Promise<string[]> =>
        (await store.search({ query: parseQuery(q), size: 10, sort: { field: 'updatedAt', order: 'desc' } })).findings.map((x) => x.key.id);
      await store.upsert([
        f({ id: 'w1', extra: { title: 'First kestrel sighting' } }),
        f({ id: 'w1', extra: { title: 'Second osprey sighting' }, updatedAt: '2026-11-02T00:00:00.000Z' }),
        f({ id: 'w2', extra: { title: 'Lone heron' } }),
      ], T0);
      assert.deepEqual(await words('osprey'), ['w1']);
      assert.deepEqual(await words('kestrel'), [], 'the replaced version no longer matches');
      await store.upsert([f({ id: 'w2', extra: { title: 'Lone egret' }, updatedAt: '2026-11-03T00:00:00.000Z' })], T0 + 1);
      assert.deepEqual(await words('egret'), ['w2']);
      assert.deepEqual(await words('heron'), []);
      assert.deepEqual(await words('sighting'), ['w1']);
    });

    withStore('prunes the change log up to a cursor and never reuses a sequence number', async (store) => {
      await store.upsert([f({ id: 'x1' }), f({ id: 'x2' })], T0);
      const all = await store.changesSince(0, 100);
      assert.equal(await store.pruneChanges(all[1]!.seq, 1), 1, 'at most the limit');
      assert.deepEqual((await store.changesSince(0, 100)).map((c) => c.seq), [all[1]!.seq], 'the oldest first');
      assert.equal(await store.pruneChanges(all[1]!.seq, 100), 1);
      assert.deepEqual(await store.changesSince(0, 100), []);
      assert.equal(await store.lastChange(), all[1]!.seq, 'the last number survives pruning');
      await store.upsert([f({ id: 'x3' })], T0 + 1);
      const after = await store.changesSince(all[1]!.seq, 100);
      assert.deepEqual(after.map((c) => c.record.key.id), ['x3']);
      assert.ok(after[0]!.seq > all[1]!.seq);
    });
  });
}
