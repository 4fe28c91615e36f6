// Behaviour of the demo finding generator and the S3 export layout writer.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { normalizeFinding } from '../findings/normalize.js';
import { severityBand } from '../findings/severity.js';
import { writeExportLayout } from './export-layout.js';
import { hex8, iso } from './format.js';
import { DEFAULT_REGIONS, generateDemoSet, generateFindingVersions } from './generate.js';
import type { GeneratorOptions } from './generate.js';

type Doc = Record<string, unknown>;

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const DAY = 86_400_000;
const BASE: GeneratorOptions = { seed: 7, findings: 3000, accounts: 25, now: NOW, days: 30, updatedShare: 0.3 };

function generate(overrides: Partial<GeneratorOptions> = {}): Doc[] {
  return [...generateFindingVersions({ ...BASE, ...overrides })];
}

function service(doc: Doc): Doc {
  return doc['service'] as Doc;
}

function keyOf(doc: Doc): string {
  return `${String(doc['accountId'])}/${String(doc['region'])}/${String(doc['id'])}`;
}

function byFinding(docs: readonly Doc[]): Map<string, Doc[]> {
  const groups = new Map<string, Doc[]>();
  for (const doc of docs) groups.set(keyOf(doc), [...(groups.get(keyOf(doc)) ?? []), doc]);
  return groups;
}

/** Every string anywhere in a document, with the key it sits under. */
function* strings(value: unknown, key = ''): Generator<[string, string]> {
  if (typeof value === 'string') yield [key, value];
  else if (Array.isArray(value)) for (const item of value) yield* strings(item, key);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* strings(v, k);
}

const docs = generate();
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('generateFindingVersions', () => {
  it('yields byte-identical documents for the same options and different ones for another seed', () => {
    assert.equal(JSON.stringify(generate()), JSON.stringify(docs));
    assert.notEqual(JSON.stringify(generate({ seed: 8 })), JSON.stringify(docs));
  });

  it('yields exactly the requested number of findings, updated ones with 2 to 6 versions', () => {
    const groups = byFinding(docs);
    assert.equal(groups.size, BASE.findings);
    const updated = [...groups.values()].filter((versions) => versions.length > 1);
    assert.ok(updated.every((versions) => versions.length <= 6));
    assert.ok(Math.abs(updated.length / BASE.findings - 0.3) < 0.05, `updated share ${updated.length / BASE.findings}`);
    assert.equal(generate({ findings: 500, updatedShare: 0 }).length, 500);
    assert.ok([...byFinding(generate({ findings: 200, updatedShare: 1 })).values()].every((v) => v.length >= 2));
  });

  it('keeps the first findings unchanged when more findings are requested', () => {
    const fewer = generate({ findings: 400 });
    assert.deepEqual(docs.slice(0, fewer.length), fewer);
  });

  it('yields the versions of a finding together, sharing id and createdAt, with increasing updatedAt, eventLastSeen and count', () => {
    const finished = new Set<string>();
    docs.forEach((doc, i) => {
      const previous = docs[i - 1];
      if (previous !== undefined && keyOf(previous) !== keyOf(doc)) finished.add(keyOf(previous));
      assert.ok(!finished.has(keyOf(doc)), `${keyOf(doc)} comes back after another finding`);
    });
    for (const versions of byFinding(docs).values()) {
      for (let i = 1; i < versions.length; i++) {
        const [before, after] = [versions[i - 1]!, versions[i]!];
        assert.equal(after['id'], before['id']);
        assert.equal(after['arn'], before['arn']);
        assert.equal(after['createdAt'], before['createdAt']);
        assert.ok(String(after['updatedAt']) > String(before['updatedAt']));
        assert.ok(String(service(after)['eventLastSeen']) > String(service(before)['eventLastSeen']));
        assert.ok(Number(service(after)['count']) > Number(service(before)['count']));
      }
    }
  });

  it('gives every document the fields GuardDuty always sends, with an ARN matching account, region, detector and id', () => {
    for (const doc of docs) {
      const svc = service(doc);
      assert.equal(doc['schemaVersion'], '2.0');
      assert.equal(doc['partition'], 'aws');
      assert.match(String(doc['id']), /^[0-9a-f]{32}$/);
      assert.match(String(doc['accountId']), /^\d{12}$/);
      assert.ok(DEFAULT_REGIONS.includes(String(doc['region'])));
      assert.equal(typeof doc['type'], 'string');
      assert.equal(typeof doc['title'], 'string');
      assert.equal(typeof doc['description'], 'string');
      assert.equal(typeof (doc['resource'] as Doc)['resourceType'], 'string');
      assert.ok(typeof doc['severity'] === 'number' && doc['severity'] >= 1 && doc['severity'] <= 10);
      for (const field of [doc['createdAt'], doc['updatedAt'], svc['eventFirstSeen'], svc['eventLastSeen']]) assert.match(String(field), ISO_MS);
      assert.equal(svc['serviceName'], 'guardduty');
      assert.match(String(svc['detectorId']), /^[0-9a-f]{32}$/);
      assert.equal(doc['arn'], `arn:aws:guardduty:${String(doc['region'])}:${String(doc['accountId'])}:detector/${String(svc['detectorId'])}/finding/${String(doc['id'])}`);
      assert.equal(typeof svc['archived'], 'boolean');
      assert.ok(Number.isInteger(svc['count']) && Number(svc['count']) >= 1);
      const info = svc['additionalInfo'] as Doc;
      if (!String(doc['type']).startsWith('AttackSequence:')) {
        assert.equal(info['type'], 'default');
        const { value, type: _type, ...fields } = info;
        assert.deepEqual(JSON.parse(String(value)), fields);
      }
      assert.ok(svc['resourceRole'] === 'TARGET' || svc['resourceRole'] === 'ACTOR');
    }
  });

  it('passes the finding normaliser for every document', () => {
    for (const doc of docs) {
      const result = normalizeFinding(doc);
      assert.ok(result.ok, result.ok ? '' : `${keyOf(doc)}: ${result.error.message}`);
    }
  });

  it('keeps every timestamp inside the window before now', () => {
    for (const doc of docs) {
      const svc = service(doc);
      const created = Date.parse(String(doc['createdAt']));
      const updated = Date.parse(String(doc['updatedAt']));
      assert.ok(created >= NOW - 30 * DAY && created <= updated && updated < NOW);
      assert.ok(Date.parse(String(svc['eventFirstSeen'])) <= Date.parse(String(svc['eventLastSeen'])));
      assert.ok(Date.parse(String(svc['eventLastSeen'])) <= updated);
    }
  });

  it('covers all four severity bands, and only attack sequences are Critical', () => {
    const bands = new Set(docs.map((doc) => severityBand(Number(doc['severity']))));
    assert.deepEqual([...bands].sort(), ['Critical', 'High', 'Low', 'Medium']);
    for (const doc of docs) {
      assert.equal(severityBand(Number(doc['severity'])) === 'Critical', String(doc['type']).startsWith('AttackSequence:'));
    }
  });

  it('produces the requested number of distinct finding types, deriving variants beyond the catalogue', () => {
    assert.equal(new Set(docs.map((doc) => doc['type'])).size, 100);
    const many = generate({ findings: 400, types: 250, updatedShare: 0 });
    assert.equal(new Set(many.map((doc) => doc['type'])).size, 250);
  });

  it('concentrates findings on a few types, accounts and regions with a long tail', () => {
    const share = (field: string): number[] => {
      const counts = new Map<unknown, number>();
      for (const doc of docs) counts.set(doc[field], (counts.get(doc[field]) ?? 0) + 1);
      return [...counts.values()].sort((a, b) => b - a).map((c) => c / docs.length);
    };
    assert.ok(share('type')[0]! > 0.1);
    assert.ok(share('accountId')[0]! > 0.15);
    assert.ok(share('accountId').length <= BASE.accounts);
    const regions = share('region');
    assert.ok(regions[0]! > 0.3 && regions.length === DEFAULT_REGIONS.length);
  });

  it('uses one detector per account and region', () => {
    const detectors = new Map<string, Set<unknown>>();
    for (const doc of docs) {
      const key = `${String(doc['accountId'])}/${String(doc['region'])}`;
      detectors.set(key, (detectors.get(key) ?? new Set()).add(service(doc)['detectorId']));
    }
    assert.ok([...detectors.values()].every((ids) => ids.size === 1));
    assert.equal(new Set([...detectors.values()].map((ids) => [...ids][0])).size, detectors.size);
  });

  it('takes public addresses only from documentation ranges', () => {
    const documentation = /^(198\.51\.100|203\.0\.113|192\.0\.2)\.\d{1,3}$/;
    const privateRange = /^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
    let remote = 0;
    for (const doc of docs) {
      for (const [key, value] of strings(doc)) {
        for (const address of value.match(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g) ?? []) {
          if (key === 'ipAddressV4') remote++;
          assert.ok(documentation.test(address) || privateRange.test(address) || /^169\.254\.169\.254$/.test(address), `${key}: ${address}`);
        }
        if (key === 'ipAddressV6') assert.match(value, /^2001:db8:/i);
      }
    }
    assert.ok(remote > docs.length / 2);
  });

  it('emits the action and detail shapes of each GuardDuty data source', () => {
    const actionTypes = new Set(docs.map((doc) => (service(doc)['action'] as Doc | undefined)?.['actionType']));
    for (const type of ['NETWORK_CONNECTION', 'PORT_PROBE', 'DNS_REQUEST', 'AWS_API_CALL', 'KUBERNETES_API_CALL', 'RDS_LOGIN_ATTEMPT']) {
      assert.ok(actionTypes.has(type), type);
    }
    const resourceTypes = new Set(docs.map((doc) => (doc['resource'] as Doc)['resourceType']));
    for (const type of ['Instance', 'AccessKey', 'S3Bucket', 'EKSCluster', 'Container', 'RDSDBInstance', 'Lambda', 'ECSCluster', 'AttackSequence']) {
      assert.ok(resourceTypes.has(type), type);
    }
    assert.ok(docs.some((doc) => service(doc)['runtimeDetails'] !== undefined));
    assert.ok(docs.some((doc) => service(doc)['ebsVolumeScanDetails'] !== undefined));
    assert.ok(docs.some((doc) => service(doc)['archived'] === true));
  });

  it('rejects options it cannot honour', () => {
    assert.throws(() => generate({ updatedShare: 1.5 }), RangeError);
    assert.throws(() => generate({ accounts: 0 }), RangeError);
    assert.throws(() => generate({ regions: ['not a region'] }), RangeError);
  });
});

describe('timestamp and id formatting', () => {
  it('formats timestamps exactly as Date.prototype.toISOString and ids as zero-padded hex', () => {
    const samples = [0, 951_782_400_000, 1_709_164_800_123, 4_102_444_799_999, 253_402_300_799_999, -1_000];
    for (let t = 946_684_800_000; t < 4_102_444_800_000; t += 86_399_937) samples.push(t);
    for (const t of samples) assert.equal(iso(t), new Date(t).toISOString());
    for (const v of [0, 1, 0xabc, 0x7fffffff, 0xffffffff]) assert.equal(hex8(v), v.toString(16).padStart(8, '0'));
  });
});

describe('generateDemoSet', () => {
  it('returns about 2,000 versions, the same for the same now, with a handful of sample findings', () => {
    const demo = generateDemoSet(NOW);
    assert.ok(demo.length > 1800 && demo.length < 2200, `${demo.length} versions`);
    assert.equal(JSON.stringify(generateDemoSet(NOW)), JSON.stringify(demo));
    const samples = new Set(demo.filter((doc) => (service(doc)['additionalInfo'] as Doc)['sample'] === true).map(keyOf));
    assert.ok(samples.size >= 3 && samples.size <= 10, `${samples.size} sample findings`);
    assert.ok(new Set(demo.map((doc) => doc['accountId'])).size >= 30);
  });
});

describe('writeExportLayout', () => {
  const LAYOUT = /^AWSLogs\/(\d{12})\/GuardDuty\/([a-z0-9-]+)\/(\d{4})\/(\d{2})\/(\d{2})\/[0-9a-f-]{36}\.jsonl\.gz$/;

  async function readLayout(dir: string): Promise<Map<string, Doc[]>> {
    const objects = new Map<string, Doc[]>();
    for (const path of await readdir(dir, { recursive: true })) {
      if (!path.endsWith('.gz')) continue;
      const text = gunzipSync(await readFile(join(dir, path))).toString('utf8');
      assert.ok(text.endsWith('\n'));
      objects.set(path.split(sep).join('/'), text.trimEnd().split('\n').map((line) => JSON.parse(line) as Doc));
    }
    return objects;
  }

  it('writes gzipped JSON lines under AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD by updatedAt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yagura-export-'));
    try {
      const versions = [...generateFindingVersions({ ...BASE, findings: 800, accounts: 3, regions: ['us-east-1', 'eu-west-1'], days: 3 })];
      const result = await writeExportLayout(versions, dir, { objectMaxFindings: 40 });
      const objects = await readLayout(dir);
      assert.equal(result.files, objects.size);
      assert.equal(result.findings, versions.length);
      assert.ok(result.bytes > 0);
      let lines = 0;
      for (const [path, contents] of objects) {
        const match = LAYOUT.exec(path);
        assert.ok(match, path);
        assert.ok(contents.length >= 1 && contents.length <= 40, `${path} has ${contents.length} lines`);
        for (const doc of contents) {
          assert.equal(doc['accountId'], match[1]);
          assert.equal(doc['region'], match[2]);
          assert.equal(String(doc['updatedAt']).slice(0, 10), `${match[3]}-${match[4]}-${match[5]}`);
        }
        lines += contents.length;
      }
      assert.equal(lines, versions.length);
      assert.ok([...objects.values()].some((contents) => contents.length === 40), 'no partition was split');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('spills to disk under memory pressure yet writes every version once, in as few objects as the limit allows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yagura-export-'));
    try {
      const versions = [...generateFindingVersions({ ...BASE, findings: 400, accounts: 2, regions: ['us-east-1'], days: 2 })];
      const result = await writeExportLayout(versions, dir, { objectMaxFindings: 25, maxBufferedBytes: 40_000 });
      const objects = await readLayout(dir);
      const written = [...objects.values()].flat().map((doc) => JSON.stringify(doc)).sort();
      assert.deepEqual(written, versions.map((doc) => JSON.stringify(doc)).sort());
      assert.equal(result.findings, versions.length);
      const perFolder = new Map<string, number>();
      for (const doc of versions) {
        const folder = `${String(doc['accountId'])}/${String(doc['updatedAt']).slice(0, 10)}`;
        perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
      }
      const fewest = [...perFolder.values()].reduce((sum, lines) => sum + Math.ceil(lines / 25), 0);
      assert.equal(objects.size, fewest);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes the same files for the same input', async () => {
    const [a, b] = [await mkdtemp(join(tmpdir(), 'yagura-export-')), await mkdtemp(join(tmpdir(), 'yagura-export-'))];
    try {
      const versions = docs.slice(0, 200);
      await writeExportLayout(versions, a, { maxBufferedBytes: 100_000 });
      await writeExportLayout(versions, b, { maxBufferedBytes: 100_000 });
      const [left, right] = [await readdir(a, { recursive: true }), await readdir(b, { recursive: true })];
      assert.deepEqual(left.sort(), right.sort());
      for (const path of left.filter((p) => p.endsWith('.gz'))) {
        assert.deepEqual(await readFile(join(a, path)), await readFile(join(b, path)));
      }
    } finally {
      await rm(a, { recursive: true, force: true });
      await rm(b, { recursive: true, force: true });
    }
  });

  it('refuses a finding whose account id cannot be a folder name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'yagura-export-'));
    try {
      const bad = { ...docs[0]!, accountId: '../../etc' };
      await assert.rejects(writeExportLayout([bad], dir), TypeError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
