// Contender (a): Yagura's SqliteStore itself, WAL with synchronous = FULL, driven through its FindingStore methods.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, FindingKey } from '../../src/findings/finding.js';
import { parseQuery } from '../../src/query/parser.js';
import type { BucketResult } from '../../src/store/aggregation.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { OVERVIEW_AGGS, bandCounts } from '../overview-request.js';
import type { Contender, SearchSpec } from './contender.js';

export async function openSqliteContender(dir: string): Promise<Contender> {
  await rm(dir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  const file = path.join(dir, 'yagura.db');
  const store = new SqliteStore({ file });
  const size = (f: string): Promise<number> => stat(f).then((s) => s.size, () => 0);
  return {
    name: 'SQLite (SqliteStore)',
    async upsert(findings: readonly Finding[], receivedAt: number): Promise<void> {
      // The objects would be confirmed once written to the archive; the store-only benchmark confirms at once.
      const result = await store.upsert(findings, receivedAt, { sealArchive: true });
      await store.outbox.confirm(result.archive.objects.map((o) => o.id));
    },
    async upsertOne(finding: Finding, receivedAt: number): Promise<void> {
      const result = await store.upsert([finding], receivedAt, { sealArchive: true });
      await store.outbox.confirm(result.archive.objects.map((o) => o.id));
    },
    async get(key: FindingKey): Promise<{ hash: string; history: number } | undefined> {
      const found = await store.get(key);
      if (found === undefined) return undefined;
      return { hash: found.history[found.history.length - 1]!.hash, history: found.history.length };
    },
    async search(spec: SearchSpec): Promise<{ total: number; rows: number }> {
      const page = await store.search({
        query: parseQuery(spec.kql),
        ...(spec.fromMs !== undefined && { from: spec.fromMs }),
        size: 50,
        sort: { field: 'updatedAt', order: 'desc' },
      });
      return { total: page.total, rows: page.findings.length };
    },
    async overview(fromMs: number): Promise<{ total: number; bands: Record<string, number> }> {
      const result = await store.aggregate({ query: parseQuery(''), from: fromMs, aggs: OVERVIEW_AGGS });
      return { total: result.total, bands: bandCounts((result.aggregations['bands'] as BucketResult).buckets) };
    },
    async counts(): Promise<{ findings: number; versions: number }> {
      const row = store.db.prepare('SELECT (SELECT count(*) FROM findings) AS f, (SELECT count(*) FROM finding_versions) AS v').get() as { f: number; v: number };
      return { findings: row.f, versions: row.f + row.v };
    },
    async diskBytes(): Promise<number> {
      return (await size(file)) + (await size(`${file}-wal`));
    },
    close: () => store.close(),
  };
}
