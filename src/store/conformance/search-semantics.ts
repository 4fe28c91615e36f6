// Conformance: what KQL selects on catalogue fields — exact text, wildcards, `not` over missing values, numbers,
// bands, booleans, remote parties — what it refuses, and that hostile or huge queries are answered safely.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueryNode } from '../../query/ast.js';
import { parseQuery } from '../../query/parser.js';
import { f, KEY, T0 } from './fixtures.js';
import { storeTest, sharedStore, type StoreFactory } from './harness.js';
import { ALL_IDS, assertRejected, except, seedKqlCorpus, selector } from './kql-corpus.js';

export function describeSearchSemantics(open: StoreFactory): void {
  describe('KQL on catalogue fields', () => {
    const store = sharedStore(open, seedKqlCorpus);
    const select = selector(store);

    test('the empty query selects every finding', async () => {
      assert.deepEqual(await select(''), ALL_IDS);
    });

    test('text fields match exactly and case-sensitively', async () => {
      assert.deepEqual(await select('type:Recon:EC2/PortProbeUnprotectedPort'), ['f1']);
      assert.deepEqual(await select('type:recon:ec2/portprobeunprotectedport'), []);
      assert.deepEqual(await select('type:Recon'), []);
      assert.deepEqual(await select('id:f2 or accountId:nobody or region:eu-west-1'), ['f2']);
    });

    test('ranges on text fields compare strings', async () => {
      assert.deepEqual(await select('type < R'), ['f5']);
      assert.deepEqual(await select('remoteIp >= 2'), ['f1']);
    });

    test('wildcards match text fields, case-sensitively', async () => {
      assert.deepEqual(await select('type:Recon*'), ['f1', 'f3']);
      assert.deepEqual(await select('type:recon*'), []);
      assert.deepEqual(await select('type:*Port*'), ['f1', 'f3']);
      assert.deepEqual(await select('type:*Port'), ['f1']);
      assert.deepEqual(await select('title:*instance*'), ['f1', 'f3']);
    });

    test('only * is a wildcard: ?, [ and ] typed by the user are literal, and \\* is a literal star', async () => {
      assert.deepEqual(await select('type:Weird[1]?*'), ['f4']);
      assert.deepEqual(await select('type:Weird?1*'), []);
      assert.deepEqual(await select('type:Weird[[]1*'), []);
      assert.deepEqual(await select(String.raw`type:Weird\[1\]?\*Type`), ['f4']);
      assert.deepEqual(await select('type:"Weird[1]?*Type"'), ['f4']);
      assert.deepEqual(await select('type:"Weird[1]?*"'), []);
    });

    test('field:* selects findings where the field is set', async () => {
      assert.deepEqual(await select('arn:*'), ['f1', 'f5']);
      assert.deepEqual(await select('title:*'), ['f1', 'f3', 'f4']);
      assert.deepEqual(await select('not createdAt:*'), ['f2', 'f4', 'f5']);
    });

    test('not on a field that may be missing also selects findings where it is missing', async () => {
      assert.deepEqual(await select('not arn:"arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f1"'), except('f1'));
      assert.deepEqual(await select('not title:*port*'), except('f1', 'f3'));
      assert.deepEqual(await select('not resourceType:Instance'), except('f1', 'f3'));
      assert.deepEqual(await select('not (title:x or resourceType:Instance)'), except('f1', 'f3'));
      assert.deepEqual(await select('not not title:*port*'), ['f1', 'f3']);
    });

    test('severity compares as a number', async () => {
      assert.deepEqual(await select('severity >= 7'), ['f2', 'f4']);
      assert.deepEqual(await select('severity:5'), ['f1']);
      assert.deepEqual(await select('severity:5.0'), ['f1']);
      assert.deepEqual(await select('severity > 9.4 and severity < 10'), ['f4']);
      assert.deepEqual(await select('severity <= 2'), ['f3', 'f5']);
    });

    test('numeric fields reject values that are not numbers, and wildcards', async () => {
      await assertRejected(store(), 'severity:high', 'severity needs a number, not "high"');
      await assertRejected(store(), 'count > 0x10', 'count needs a number, not "0x10"');
      await assertRejected(store(), 'severity:7*', 'severity does not take wildcards');
      await assertRejected(store(), 'updatedAt:2024*', 'updatedAt does not take wildcards');
    });

    test('count and versions are numbers under their GuardDuty names and aliases', async () => {
      assert.deepEqual(await select('service.count:3'), ['f1']);
      assert.deepEqual(await select('count > 1'), ['f1']);
      assert.deepEqual(await select('versions >= 2'), ['f2']);
    });

    test('severity bands match by name in any case and compare by rank', async () => {
      assert.deepEqual(await select('band:high'), ['f2']);
      assert.deepEqual(await select('band:CRITICAL'), ['f4']);
      assert.deepEqual(await select('band >= High'), ['f2', 'f4']);
      assert.deepEqual(await select('severityBand < medium'), ['f3', 'f5']);
      assert.deepEqual(await select('band:(Low or Medium)'), ['f1', 'f3', 'f5']);
    });

    test('an unknown severity band is rejected naming the value', async () => {
      await assertRejected(store(), 'band:Severe', 'unknown severity band "Severe"');
      await assertRejected(store(), 'band >= 3', 'unknown severity band "3"');
    });

    test('booleans match true and false', async () => {
      assert.deepEqual(await select('archived:true'), ['f2']);
      assert.deepEqual(await select('service.archived:FALSE'), except('f2'));
      assert.deepEqual(await select('sample:true'), ['f2']);
      assert.deepEqual(await select('service.additionalInfo.sample:true'), ['f2']);
      await assertRejected(store(), 'archived:yes', 'archived needs true or false, not "yes"');
      await assertRejected(store(), 'archived > false', 'archived is true or false');
    });

    test('resource and action types are catalogue fields under their GuardDuty names and aliases', async () => {
      assert.deepEqual(await select('resourceType:Instance'), ['f1', 'f3']);
      assert.deepEqual(await select('resource.resourceType:AccessKey'), ['f2']);
      assert.deepEqual(await select('actionType:PORT_PROBE'), ['f1']);
      assert.deepEqual(await select('service.action.actionType:(AWS_API_CALL or NETWORK_CONNECTION)'), ['f2', 'f3']);
    });

    test('remote fields match when any remote party of the finding matches', async () => {
      assert.deepEqual(await select('remoteIp:198.51.100.7'), ['f1']);
      assert.deepEqual(await select('remoteIp:203.0.113.9'), ['f1']);
      assert.deepEqual(await select('remoteIp:198.51.100.*'), ['f1', 'f3']);
      assert.deepEqual(await select('remoteCountry:DE'), ['f1']);
      assert.deepEqual(await select('remoteCountry:(FR or US)'), ['f1', 'f2']);
      assert.deepEqual(await select('remoteOrg:"Other Org"'), ['f2']);
      assert.deepEqual(await select('remoteOrg:*'), ['f1', 'f2']);
      assert.deepEqual(await select('not remoteIp:*'), ['f4', 'f5']);
      assert.deepEqual(await select('not remoteCountry:DE'), except('f1'));
    });

    test('injection attempts match nothing and leave the store intact', async () => {
      assert.deepEqual(await select(`type:"x' OR 1=1 --"`), []);
      assert.deepEqual(await select(`"'; DROP TABLE findings; --"`), []);
      assert.deepEqual(await select(String.raw`title:x\'\)\ OR\ 1=1\ --`), []);
      assert.deepEqual(await select(`resource.tags.value:"') OR 1=1 --"`), []);
      assert.deepEqual(await select(`remoteIp:"1' OR '1'='1"`), []);
      assert.deepEqual(await select('severity >= 0'), ALL_IDS);
      await assertRejected(store(), `severity >= "0 OR 1=1"`, 'severity needs a number');
      assert.equal(await store().count(), ALL_IDS.length);
    });

    test('hand-built trees with field names that are not KQL names are rejected', async () => {
      await assertRejected(store(), { kind: 'match', field: `x") OR 1=1 --`, value: { text: 'a', quoted: false, wildcard: false } }, 'invalid field name');
      await assertRejected(store(), { kind: 'exists', field: 'a..b' }, 'invalid field name');
    });

    test('thousands of terms are answered', async () => {
      let query = 'type:Recon*';
      for (let i = 0; query.length < 9_980; i++) query = `id:${i} or ${query}`;
      assert.deepEqual(await select(query), ['f1', 'f3']);
      const words = 'w '.repeat(4_996);
      assert.deepEqual(await select(`${words}probed`), []);
      const many: QueryNode = { kind: 'or', children: [...Array.from({ length: 5_000 }, () => parseQuery('probed')), parseQuery('type:Recon*')] };
      assert.deepEqual(await select(many), ['f1', 'f3']);
    });

    test('at most 128 conditions on document paths are answered; catalogue fields have no such limit', async () => {
      const terms = (n: number): string => Array.from({ length: n }, (_, i) => `x.y:${i}`).join(' or ');
      assert.deepEqual(await select(`${terms(127)} or resource.instanceDetails.tags.value:prod`), ['f1']);
      await assertRejected(store(), `${terms(128)} or resource.instanceDetails.tags.value:prod`, 'more than 128 conditions on document paths');
      assert.deepEqual(await select(`remoteIp:(${Array.from({ length: 550 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(' or ')} or 192.0.2.1)`), ['f2']);
    });

    test('the deepest nesting the parser allows is answered', async () => {
      let query = 'type:Recon*';
      for (let i = 0; i < 64; i++) query = i % 2 === 0 ? `not (title:x${i} or ${query})` : `(type:* and ${query})`;
      assert.deepEqual(await select(query), ['f1', 'f3']);
    });
  });

  describe('matching', () => {
    storeTest(open, 'tells which of a set of findings a query selects, with search semantics', async (store) => {
      await store.upsert([f({ id: 'm1', severity: 8 }), f({ id: 'm2', severity: 3 }), f({ id: 'm3', severity: 9, ip: '203.0.113.5' })], T0);
      const keys = ['m1', 'm2', 'm3', 'absent'].map((id) => ({ ...KEY, id }));
      const ids = async (q: string): Promise<string[]> => (await store.matching(parseQuery(q), keys)).map((r) => r.key.id).sort();
      assert.deepEqual(await ids('severity >= 7'), ['m1', 'm3']);
      assert.deepEqual(await ids('remoteIp:203.0.113.5 or finding'), ['m1', 'm2', 'm3']);
      assert.deepEqual(await ids('not band:High'), ['m2', 'm3']);
      assert.deepEqual(await store.matching(parseQuery(''), []), []);
    });
  });
}
