import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { QueryNode } from '../../query/ast.js';
import { parseQuery } from '../../query/parser.js';
import { QueryError } from '../../query/query-error.js';
import { compileQuery, registerQueryFunctions } from './compile-query.js';
import { documentPath, stripArrayIndexes } from './fields.js';
import { pathValues } from '../../findings/path-values.js';
import { buildPathWriter } from './path-index.js';
import { migrate } from './schema.js';

const NOW = Date.parse('2024-05-02T13:00:00Z');
const at = (iso: string): number => Date.parse(iso);

interface Row {
  id: string;
  type: string;
  severity: number;
  band: number;
  arn?: string;
  title?: string;
  resourceType?: string;
  actionType?: string;
  createdAt?: number;
  updatedAt: number;
  count?: number;
  archived?: boolean;
  sample?: boolean;
  firstSeen?: number;
  versions?: number;
  doc: Record<string, unknown>;
  text: string;
  remote?: ReadonlyArray<readonly [ip: string, country: string | null, org: string | null]>;
}

const ROWS: readonly Row[] = [
  {
    id: 'f1',
    type: 'Recon:EC2/PortProbeUnprotectedPort',
    severity: 5,
    band: 2,
    arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f1',
    title: 'Unprotected port on EC2 instance i-0abc is being probed',
    resourceType: 'Instance',
    actionType: 'PORT_PROBE',
    createdAt: at('2024-05-01T08:00:00Z'),
    updatedAt: at('2024-05-01T10:00:00Z'),
    count: 3,
    doc: {
      service: {
        action: {
          actionType: 'PORT_PROBE',
          portProbeAction: {
            portProbeDetails: [
              { localPortDetails: { port: 22 }, remoteIpDetails: { ipAddressV4: '198.51.100.7' } },
              { localPortDetails: { port: 3389 }, remoteIpDetails: { ipAddressV4: '203.0.113.9' } },
            ],
          },
        },
      },
      resource: { instanceDetails: { tags: [{ key: 'Name', value: 'web-1' }, { key: 'env', value: 'prod' }] } },
      'a-b': { c: 'dash', 'c-d': ['x1', 'x2'] },
    },
    text: 'unprotected port on ec2 instance i-0abc is being probed recon:ec2/portprobeunprotectedport 198.51.100.7 203.0.113.9',
    remote: [
      ['198.51.100.7', 'US', 'Example Org'],
      ['203.0.113.9', 'DE', null],
    ],
  },
  {
    id: 'f2',
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    severity: 8,
    band: 3,
    resourceType: 'AccessKey',
    actionType: 'AWS_API_CALL',
    updatedAt: at('2024-05-02T12:00:00Z'),
    archived: true,
    sample: true,
    firstSeen: at('2024-05-02T12:00:05Z'),
    versions: 4,
    doc: {
      service: {
        action: { awsApiCallAction: { remoteIpDetails: { ipAddressV4: '192.0.2.1' } } },
        additionalInfo: { sample: true },
        eventLastSeen: '2024-05-02T11:59:00.000Z',
      },
      resource: { accessKeyDetails: { userName: 'alice' } },
      labels: ['x', 'y'],
      nothing: null,
    },
    text: 'credentials for an instance used from outside aws unauthorizedaccess:iamuser/instancecredentialexfiltration.outsideaws 192.0.2.1',
    remote: [['192.0.2.1', 'FR', 'Other Org']],
  },
  {
    id: 'f3',
    type: 'Recon:EC2/Portscan',
    severity: 2,
    band: 1,
    title: 'EC2 instance is performing outbound port scans',
    resourceType: 'Instance',
    actionType: 'NETWORK_CONNECTION',
    createdAt: at('2023-12-31T23:00:00Z'),
    updatedAt: at('2023-12-31T23:59:59.999Z'),
    doc: {
      service: {
        action: {
          networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.70' } },
          portProbeAction: { portProbeDetails: [{ localPortDetails: { port: '22' } }] },
        },
        eventLastSeen: '2023-12-31T23:59:00.000Z',
      },
    },
    text: 'ec2 instance is performing outbound port scans recon:ec2/portscan 198.51.100.70',
    remote: [['198.51.100.70', null, null]],
  },
  {
    id: 'f4',
    type: 'Weird[1]?*Type',
    severity: 9.5,
    band: 4,
    title: 'Odd "quoted" NEAR(x) AND OR NOT ^ : - {}',
    updatedAt: at('2024-05-02T12:30:00Z'),
    doc: { flag: true, off: false, score: 1.5, 'a[0]': { b: 'bracket' }, 'a-b': { c: 'DASH' } },
    text: 'odd "quoted" near(x) and or not ^ : - {}',
  },
  {
    id: 'f5',
    type: 'Policy:S3/BucketBlockPublicAccessDisabled',
    severity: 2,
    band: 1,
    arn: 'arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f5',
    updatedAt: at('2024-04-01T00:00:00Z'),
    doc: { empty: [], nulls: [null], nested: { empty: {} } },
    text: 'policy:s3/bucketblockpublicaccessdisabled',
  },
];

const ALL_IDS = ROWS.map((r) => r.id);

function openDatabase(): Database.Database {
  const db = new Database(':memory:');
  migrate(db);
  registerQueryFunctions(db);
  const insert = db.prepare(
    `INSERT INTO findings (account_id, region, id, arn, type, severity, band, title, resource_type, action_type, created_at,
       updated_at, count, archived, sample, first_seen, last_seen, versions, hash, received_at)
     VALUES ('111122223333', 'us-east-1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'h', ?)`,
  );
  const insertDoc = db.prepare("INSERT INTO finding_versions (finding, hash, updated_at, count, received_at, doc) VALUES (?, 'h', 0, 1, 0, ?)");
  const setCurrent = db.prepare('UPDATE findings SET current = ? WHERE rowid = ?');
  const insertText = db.prepare('INSERT INTO findings_text (rowid, text) VALUES (?, ?)');
  const insertIp = db.prepare('INSERT INTO finding_remote_ips (finding, ip, country, org) VALUES (?, ?, ?, ?)');
  const paths = buildPathWriter(db);
  for (const r of ROWS) {
    const { lastInsertRowid } = insert.run(
      r.id, r.arn ?? null, r.type, r.severity, r.band, r.title ?? null, r.resourceType ?? null, r.actionType ?? null,
      r.createdAt ?? null, r.updatedAt, r.count ?? 1, r.archived ? 1 : 0, r.sample ? 1 : 0, r.firstSeen ?? r.updatedAt,
      r.updatedAt, r.versions ?? 1, r.updatedAt,
    );
    setCurrent.run(insertDoc.run(lastInsertRowid, JSON.stringify(r.doc)).lastInsertRowid, lastInsertRowid);
    insertText.run(lastInsertRowid, r.text);
    for (const [ip, country, org] of r.remote ?? []) insertIp.run(lastInsertRowid, ip, country, org);
    paths.write(Number(lastInsertRowid), pathValues(r.doc));
  }
  return db;
}

const db = openDatabase();

function select(query: string | QueryNode): string[] {
  const node = typeof query === 'string' ? parseQuery(query) : query;
  const { sql, params } = compileQuery(node, { now: NOW });
  const rows = db.prepare(`SELECT f.id FROM findings f WHERE ${sql} ORDER BY f.id`).all(...params) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

function except(...ids: string[]): string[] {
  return ALL_IDS.filter((id) => !ids.includes(id));
}

function assertRejected(query: string | QueryNode, includes: string): void {
  assert.throws(
    () => select(query),
    (error: unknown) => {
      assert.ok(error instanceof QueryError, `expected a QueryError, got ${String(error)}`);
      assert.equal(error.code, 'INVALID_QUERY');
      assert.ok(error.message.includes(includes), `"${error.message}" should mention ${includes}`);
      return true;
    },
  );
}

test('the empty query compiles to a condition that selects every finding', () => {
  assert.deepEqual(compileQuery({ kind: 'all' }), { sql: '1', params: [] });
  assert.deepEqual(select(''), ALL_IDS);
});

test('user values travel only as parameters', () => {
  const { sql, params } = compileQuery(parseQuery('type:"x\' OR 1=1" and resource.tags.value:evil and "free text"'));
  assert.ok(!sql.includes('OR 1=1') && !sql.includes('evil') && !sql.includes('free'), sql);
  assert.ok(params.includes("x' OR 1=1") && params.includes('evil'));
});

test('text fields match exactly and case-sensitively', () => {
  assert.deepEqual(select('type:Recon:EC2/PortProbeUnprotectedPort'), ['f1']);
  assert.deepEqual(select('type:recon:ec2/portprobeunprotectedport'), []);
  assert.deepEqual(select('type:Recon'), []);
  assert.deepEqual(select('id:f2 or accountId:nobody or region:eu-west-1'), ['f2']);
});

test('ranges on text fields compare strings', () => {
  assert.deepEqual(select('type < R'), ['f5']);
  assert.deepEqual(select('remoteIp >= 2'), ['f1']);
});

test('wildcards match text fields with GLOB, case-sensitively', () => {
  assert.deepEqual(select('type:Recon*'), ['f1', 'f3']);
  assert.deepEqual(select('type:recon*'), []);
  assert.deepEqual(select('type:*Port*'), ['f1', 'f3']);
  assert.deepEqual(select('type:*Port'), ['f1']);
  assert.deepEqual(select('title:*instance*'), ['f1', 'f3']);
});

test('GLOB metacharacters typed by the user are literal', () => {
  assert.deepEqual(select('type:Weird[1]?*'), ['f4']);
  assert.deepEqual(select('type:Weird?1*'), []);
  assert.deepEqual(select('type:Weird[[]1*'), []);
  assert.deepEqual(select(String.raw`type:Weird\[1\]?\*Type`), ['f4']);
  assert.deepEqual(select('type:"Weird[1]?*Type"'), ['f4']);
  assert.deepEqual(select('type:"Weird[1]?*"'), []);
});

test('field:* selects findings where the column is set', () => {
  assert.deepEqual(select('arn:*'), ['f1', 'f5']);
  assert.deepEqual(select('title:*'), ['f1', 'f3', 'f4']);
  assert.deepEqual(select('not createdAt:*'), ['f2', 'f4', 'f5']);
});

test('not on a nullable column also selects findings where it is missing', () => {
  assert.deepEqual(select('not arn:"arn:aws:guardduty:us-east-1:111122223333:detector/d1/finding/f1"'), except('f1'));
  assert.deepEqual(select('not title:*port*'), except('f1', 'f3'));
  assert.deepEqual(select('not resourceType:Instance'), except('f1', 'f3'));
  assert.deepEqual(select('not (title:x or resourceType:Instance)'), except('f1', 'f3'));
  assert.deepEqual(select('not not title:*port*'), ['f1', 'f3']);
});

test('severity compares as a number', () => {
  assert.deepEqual(select('severity >= 7'), ['f2', 'f4']);
  assert.deepEqual(select('severity:5'), ['f1']);
  assert.deepEqual(select('severity:5.0'), ['f1']);
  assert.deepEqual(select('severity > 9.4 and severity < 10'), ['f4']);
  assert.deepEqual(select('severity <= 2'), ['f3', 'f5']);
});

test('numeric fields reject values that are not numbers, and wildcards', () => {
  assertRejected('severity:high', 'severity needs a number, not "high"');
  assertRejected('count > 0x10', 'count needs a number, not "0x10"');
  assertRejected('severity:7*', 'severity does not take wildcards');
  assertRejected('updatedAt:2024*', 'updatedAt does not take wildcards');
});

test('count and versions are numbers under their GuardDuty names and aliases', () => {
  assert.deepEqual(select('service.count:3'), ['f1']);
  assert.deepEqual(select('count > 1'), ['f1']);
  assert.deepEqual(select('versions >= 2'), ['f2']);
});

test('severity bands match by name in any case and compare by rank', () => {
  assert.deepEqual(select('band:high'), ['f2']);
  assert.deepEqual(select('band:CRITICAL'), ['f4']);
  assert.deepEqual(select('band >= High'), ['f2', 'f4']);
  assert.deepEqual(select('severityBand < medium'), ['f3', 'f5']);
  assert.deepEqual(select('band:(Low or Medium)'), ['f1', 'f3', 'f5']);
});

test('an unknown severity band is rejected naming the value', () => {
  assertRejected('band:Severe', 'unknown severity band "Severe"');
  assertRejected('band >= 3', 'unknown severity band "3"');
});

test('booleans match true and false', () => {
  assert.deepEqual(select('archived:true'), ['f2']);
  assert.deepEqual(select('service.archived:FALSE'), except('f2'));
  assert.deepEqual(select('sample:true'), ['f2']);
  assert.deepEqual(select('service.additionalInfo.sample:true'), ['f2']);
  assertRejected('archived:yes', 'archived needs true or false, not "yes"');
  assertRejected('archived > false', 'archived is true or false');
});

test('resource and action types are columns under their GuardDuty names and aliases', () => {
  assert.deepEqual(select('resourceType:Instance'), ['f1', 'f3']);
  assert.deepEqual(select('resource.resourceType:AccessKey'), ['f2']);
  assert.deepEqual(select('actionType:PORT_PROBE'), ['f1']);
  assert.deepEqual(select('service.action.actionType:(AWS_API_CALL or NETWORK_CONNECTION)'), ['f2', 'f3']);
});

test('a date-only value matches its whole UTC day', () => {
  assert.deepEqual(select('updatedAt:"2024-05-01"'), ['f1']);
  assert.deepEqual(select('updatedAt:2023-12-31'), ['f3']);
  assert.deepEqual(select('createdAt:2024-05-01'), ['f1']);
});

test('an exact time matches that millisecond', () => {
  assert.deepEqual(select('updatedAt:"2024-05-01T10:00:00Z"'), ['f1']);
  assert.deepEqual(select('updatedAt:2024-05-01T12:00:00+02:00'), ['f1']);
  assert.deepEqual(select(`updatedAt:${at('2024-05-02T12:30:00Z')}`), ['f4']);
  assert.deepEqual(select('updatedAt:"2024-05-01T10:00:01Z"'), []);
});

test('time ranges treat a date-only bound as its whole day', () => {
  assert.deepEqual(select('updatedAt < "2024-01-01"'), ['f3']);
  assert.deepEqual(select('updatedAt <= 2023-12-31'), ['f3']);
  assert.deepEqual(select('updatedAt > 2024-05-01'), ['f2', 'f4']);
  assert.deepEqual(select('updatedAt >= 2024-05-01'), ['f1', 'f2', 'f4']);
  assert.deepEqual(select('updatedAt <= 2024-05-01'), ['f1', 'f3', 'f5']);
});

test('time ranges accept relative times resolved against now', () => {
  assert.deepEqual(select('updatedAt >= now-1d'), ['f2', 'f4']);
  assert.deepEqual(select('updatedAt >= now-1h'), ['f2', 'f4']);
  assert.deepEqual(select('updatedAt >= now-45m'), ['f4']);
  assert.deepEqual(select('updatedAt:now/d'), ['f2', 'f4']);
  assert.deepEqual(select('updatedAt > now-1d/d'), ['f2', 'f4']);
  assert.deepEqual(select('createdAt >= now-7d'), ['f1']);
  assert.deepEqual(select('firstSeen > 2024-05-02T12:00:00Z and firstSeen < 2024-05-02T12:01:00Z and lastSeen:now/d'), ['f2']);
});

test('a bad time for a time field is a query error naming the field and value', () => {
  assertRejected('createdAt > yesterday', 'invalid time for createdAt: "yesterday" is not a time');
  assertRejected('updatedAt:2024-02-30', 'invalid time for updatedAt: "2024-02-30" is not a valid date');
});

test('remote fields match when any remote party of the finding matches', () => {
  assert.deepEqual(select('remoteIp:198.51.100.7'), ['f1']);
  assert.deepEqual(select('remoteIp:203.0.113.9'), ['f1']);
  assert.deepEqual(select('remoteIp:198.51.100.*'), ['f1', 'f3']);
  assert.deepEqual(select('remoteCountry:DE'), ['f1']);
  assert.deepEqual(select('remoteCountry:(FR or US)'), ['f1', 'f2']);
  assert.deepEqual(select('remoteOrg:"Other Org"'), ['f2']);
  assert.deepEqual(select('remoteOrg:*'), ['f1', 'f2']);
  assert.deepEqual(select('not remoteIp:*'), ['f4', 'f5']);
  assert.deepEqual(select('not remoteCountry:DE'), except('f1'));
});

test('dotted paths reach into the document and through arrays', () => {
  const port = 'service.action.portProbeAction.portProbeDetails';
  assert.deepEqual(select(`${port}.remoteIpDetails.ipAddressV4:198.51.100.7`), ['f1']);
  assert.deepEqual(select(`${port}.remoteIpDetails.ipAddressV4:203.0.113.9`), ['f1']);
  assert.deepEqual(select('service.action.networkConnectionAction.remoteIpDetails.ipAddressV4:198.51.100.70'), ['f3']);
  assert.deepEqual(select('service.action.awsApiCallAction.remoteIpDetails.ipAddressV4:192.0.2.*'), ['f2']);
  assert.deepEqual(select('resource.instanceDetails.tags.value:web-1'), ['f1']);
  assert.deepEqual(select('labels:y'), ['f2']);
  assert.deepEqual(select('resource.accessKeyDetails.userName:al*'), ['f2']);
  assert.deepEqual(select('resource.accessKeyDetails.userName:Alice'), []);
});

test('text JSON escapes in stored documents is still found by an exact match on a document path', () => {
  // Exact matches skip documents whose text lacks the value as JSON.stringify writes it; escaped forms must match.
  const values = ['say "hi" \\ back\\slash', 'line\nbreak\ttab', 'é 櫓 😀', '</script>', 'lone \ud800 surrogate', 'ctrl \u0001 \u007f', ''];
  const local = openDatabase();
  try {
    const rowid = Number(local.prepare(
      `INSERT INTO findings (account_id, region, id, type, severity, band, updated_at, count, archived, sample, first_seen, last_seen, versions, hash, received_at)
       VALUES ('111122223333', 'us-east-1', 'esc', 'T', 1, 0, 0, 1, 0, 0, 0, 0, 1, 'h', 0)`,
    ).run().lastInsertRowid);
    const doc = { odd: { list: values.map((value) => ({ value })), plain: values[0] } };
    const seq = local.prepare("INSERT INTO finding_versions (finding, hash, updated_at, count, received_at, doc) VALUES (?, 'h', 0, 1, 0, ?)").run(rowid, JSON.stringify(doc)).lastInsertRowid;
    local.prepare('UPDATE findings SET current = ? WHERE rowid = ?').run(seq, rowid);
    const ids = (field: string, text: string): string[] => {
      const { sql, params } = compileQuery({ kind: 'match', field, value: { text, quoted: true, wildcard: false } }, { now: NOW });
      return (local.prepare(`SELECT f.id FROM findings f WHERE ${sql}`).all(...params) as Array<{ id: string }>).map((r) => r.id);
    };
    for (const value of values) assert.deepEqual(ids('odd.list.value', value), ['esc'], JSON.stringify(value));
    assert.deepEqual(ids('odd.plain', values[0]!), ['esc']);
    assert.deepEqual(ids('odd.list.value', 'say'), []);
    assert.deepEqual(ids('odd.plain', values[1]!), []);
  } finally {
    local.close();
  }
});

test('conditions on one array field may be met by different elements, as in Elasticsearch', () => {
  assert.deepEqual(select('resource.instanceDetails.tags.key:Name and resource.instanceDetails.tags.value:prod'), ['f1']);
});

test('a path only matches the full key, not a prefix or a longer key', () => {
  assert.deepEqual(select('service.action.portProbeAction:*'), ['f1', 'f3']);
  assert.deepEqual(select('service.action.portProbeAction.portProbeDetails.remoteIpDetails:198.51.100.7'), []);
  assert.deepEqual(select('remoteIpDetails.ipAddressV4:198.51.100.7'), []);
  assert.deepEqual(select('service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4.x:198.51.100.7'), []);
});

test('keys that SQLite quotes, such as ones with dashes, are matched', () => {
  assert.deepEqual(select('a-b.c:dash'), ['f1']);
  assert.deepEqual(select('a-b.c:DASH'), ['f4']);
  assert.deepEqual(select('a-b.c-d:x2'), ['f1']);
  assert.deepEqual(select('a.b:bracket'), []);
});

test('numbers in the document match numerically and as text', () => {
  const port = 'service.action.portProbeAction.portProbeDetails.localPortDetails.port';
  assert.deepEqual(select(`${port}:22`), ['f1', 'f3']);
  assert.deepEqual(select(`${port}:22.0`), ['f1']);
  assert.deepEqual(select(`${port}:"22"`), ['f1', 'f3']);
  assert.deepEqual(select(`${port} > 1000`), ['f1']);
  assert.deepEqual(select(`${port} < 100`), ['f1']);
  assert.deepEqual(select('score >= 1.5 and score < 2'), ['f4']);
});

test('true and false in the document match JSON booleans', () => {
  assert.deepEqual(select('flag:true'), ['f4']);
  assert.deepEqual(select('flag:false'), []);
  assert.deepEqual(select('off:false'), ['f4']);
  assert.deepEqual(select('service.additionalInfo.sample:true and not flag:true'), ['f2']);
});

test('ISO timestamps in the document compare as times in ranges', () => {
  assert.deepEqual(select('service.eventLastSeen >= 2024-05-02T11:00:00Z'), ['f2']);
  assert.deepEqual(select('service.eventLastSeen < 2024-01-01'), ['f3']);
  assert.deepEqual(select('service.eventLastSeen >= now-2h'), ['f2']);
  assert.deepEqual(select('service.eventLastSeen:"2024-05-02T11:59:00.000Z"'), ['f2']);
});

test('a path exists when it holds a value other than null, and arrays through their elements', () => {
  assert.deepEqual(select('labels:*'), ['f2']);
  assert.deepEqual(select('nothing:*'), []);
  assert.deepEqual(select('empty:*'), []);
  assert.deepEqual(select('nulls:*'), []);
  assert.deepEqual(select('nested.empty:*'), ['f5']);
  assert.deepEqual(select('resource.instanceDetails.tags.key:*'), ['f1']);
  assert.deepEqual(select('not labels:*'), except('f2'));
});

test('not on a document path selects findings that lack the path', () => {
  assert.deepEqual(select('not service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4:203.0.113.9'), except('f1'));
  assert.deepEqual(select('not nosuch.field:x'), ALL_IDS);
});

test('free text matches words of the finding text in any case', () => {
  assert.deepEqual(select('probed'), ['f1']);
  assert.deepEqual(select('PROBED'), ['f1']);
  assert.deepEqual(select('instance'), ['f1', 'f2', 'f3']);
  assert.deepEqual(select('instance outbound'), ['f3']);
  assert.deepEqual(select('i-0abc'), ['f1']);
});

test('free text with punctuation matches the words as a phrase', () => {
  assert.deepEqual(select('198.51.100.7'), ['f1']);
  assert.deepEqual(select('198.51.100.70'), ['f3']);
  assert.deepEqual(select('"port scans"'), ['f3']);
  assert.deepEqual(select('"scans port"'), []);
  assert.deepEqual(select('Recon:EC2/Portscan'.replace(':', '\\:')), ['f3']);
});

test('a trailing wildcard in free text is a prefix search', () => {
  assert.deepEqual(select('portprobe*'), ['f1']);
  assert.deepEqual(select('198.51.100.7*'), ['f1', 'f3']);
  assert.deepEqual(select('198.51.100.*'), ['f1', 'f3']);
  assert.deepEqual(select('"portprobe*"'), []);
});

test('several free-text terms of one and/or are searched with one full-text query', () => {
  assert.deepEqual(select('probed or outbound'), ['f1', 'f3']);
  assert.deepEqual(select('instance scans'), ['f3']);
  assert.deepEqual(select('portprobe* instance'), ['f1']);
  assert.deepEqual(select('"port scans" or 198.51.100.7 or nothing'), ['f1', 'f3']);
  assert.deepEqual(select('instance and not outbound and not aws'), ['f1']);
  assert.deepEqual(select('probed or type:Policy*'), ['f1', 'f5']);
  assert.deepEqual(select('probed or "..."'), ALL_IDS);
  assert.deepEqual(select('probed probed probed'), ['f1']);
  assert.deepEqual(compileQuery(parseQuery('a b* "c d"')).params, ['("a") AND ("b" *) AND ("c d")']);
  assert.deepEqual(compileQuery(parseQuery('a or b or a')).params, ['("a") OR ("b")']);
});

test('free text without any word matches everything', () => {
  assert.deepEqual(select('*'), ALL_IDS);
  assert.deepEqual(select('"...///"'), ALL_IDS);
  assert.deepEqual(select('"\u0301" probed'), ['f1']);
});

test('FTS5 syntax in free text is searched for as words, never interpreted', () => {
  const hostile = ['"', 'NEAR(', 'NEAR(a b, 1)', 'AND', 'OR', 'NOT', '^', ':', '-', '{}', '*', 'text:x', 'x OR y', '" OR "', 'a"b', '+', '(', ')'];
  for (const value of hostile) {
    const node: QueryNode = { kind: 'text', value: { text: value, quoted: true, wildcard: false } };
    assert.doesNotThrow(() => select(node), value);
  }
  assert.deepEqual(select('"near(x) and or not"'), ['f4']);
  assert.deepEqual(select(String.raw`"\"quoted\""`), ['f4']);
  assert.deepEqual(select('"x OR probed"'), []);
  assert.deepEqual(select('"NOT probed"'), []);
});

test('SQL injection attempts match nothing and leave the table intact', () => {
  assert.deepEqual(select(`type:"x' OR 1=1 --"`), []);
  assert.deepEqual(select(`"'; DROP TABLE findings; --"`), []);
  assert.deepEqual(select(String.raw`title:x\'\)\ OR\ 1=1\ --`), []);
  assert.deepEqual(select(`resource.tags.value:"') OR 1=1 --"`), []);
  assert.deepEqual(select(`remoteIp:"1' OR '1'='1"`), []);
  assert.deepEqual(select(`severity >= "0) OR (1=1"`.replace('"0) OR (1=1"', '0')), ALL_IDS);
  assertRejected(`severity >= "0 OR 1=1"`, 'severity needs a number');
  assert.equal((db.prepare('SELECT count(*) AS n FROM findings').get() as { n: number }).n, ROWS.length);
});

test('hand-built trees with field names that are not KQL names are rejected', () => {
  assertRejected({ kind: 'match', field: `x") OR 1=1 --`, value: { text: 'a', quoted: false, wildcard: false } }, 'invalid field name');
  assertRejected({ kind: 'exists', field: 'a..b' }, 'invalid field name');
});

test('thousands of terms compile into SQL that SQLite accepts', () => {
  let query = 'type:Recon*';
  for (let i = 0; query.length < 9_980; i++) query = `id:${i} or ${query}`;
  assert.deepEqual(select(query), ['f1', 'f3']);
  const words = 'w '.repeat(4_996);
  assert.deepEqual(select(`${words}probed`), []);
  const many: QueryNode = { kind: 'or', children: [...Array.from({ length: 5_000 }, () => parseQuery('probed')), parseQuery('type:Recon*')] };
  assert.deepEqual(select(many), ['f1', 'f3']);
});

test('at most 128 conditions on document paths are compiled, since each costs SQLite more to prepare', () => {
  const terms = (n: number): string => Array.from({ length: n }, (_, i) => `x.y:${i}`).join(' or ');
  assert.deepEqual(select(`${terms(127)} or resource.instanceDetails.tags.value:prod`), ['f1']);
  assertRejected(`${terms(128)} or resource.instanceDetails.tags.value:prod`, 'more than 128 conditions on document paths');
  assert.deepEqual(select(`remoteIp:(${Array.from({ length: 550 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(' or ')} or 192.0.2.1)`), ['f2']);
});

test('the deepest nesting the parser allows compiles and runs', () => {
  let query = 'type:Recon*';
  for (let i = 0; i < 64; i++) query = i % 2 === 0 ? `not (title:x${i} or ${query})` : `(type:* and ${query})`;
  assert.deepEqual(select(query), ['f1', 'f3']);
});

test('array indexes are stripped from json_tree keys, but not from inside quoted keys', () => {
  assert.equal(stripArrayIndexes('$.a[0].b[12][3]'), '$.a.b');
  assert.equal(stripArrayIndexes('$."a[0]"[1].b'), '$."a[0]".b');
  assert.equal(stripArrayIndexes(String.raw`$."q\"[1]"[2]`), String.raw`$."q\"[1]"`);
  assert.equal(stripArrayIndexes('$.plain.key'), '$.plain.key');
  assert.equal((db.prepare(`SELECT yg_strip_index('$.a[0].b') AS k`).get() as { k: string }).k, '$.a.b');
});

test('document paths are spelled the way SQLite reports them', () => {
  assert.deepEqual(documentPath('service.action.x1'.split('.')), { root: '$.service', key: '$.service.action.x1' });
  assert.deepEqual(documentPath('a-b.c_d.@t.1a.é'.split('.')), { root: '$."a-b"', key: '$."a-b"."c_d"."@t"."1a"."é"' });
  const doc = JSON.stringify({ 'a-b': { c_d: { '@t': { '1a': { é: [true] } } } } });
  const keys = db.prepare(`SELECT yg_strip_index(fullkey) AS k FROM json_tree(?, ?) WHERE atom IS NOT NULL`).all(doc, '$."a-b"') as Array<{ k: string }>;
  assert.deepEqual(keys.map((r) => r.k), ['$."a-b"."c_d"."@t"."1a"."é"']);
});
