// The overview's 8 aggregations computed by DuckDB straight from the archive's export objects, for comparison.
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { summarize, type LatencySummary } from './stats.js';

export interface DuckdbOverviewResult {
  readonly runs: number;
  /** One run: read every archive object, keep the latest version per finding, compute the 8 aggregations. */
  readonly latency: LatencySummary;
  /** Of which: reading the JSON and keeping the latest versions. */
  readonly loadMs: LatencySummary;
  /** Of which: the 8 aggregations over the loaded table. */
  readonly aggregateMs: LatencySummary;
  /** Findings (latest versions) in the archive. */
  readonly findings: number;
  readonly total: number;
  readonly bands: Record<string, number>;
  readonly topRemoteIps: ReadonlyArray<{ key: string; doc_count: number }>;
  readonly version: string;
}

export const BAND_SQL = `CASE WHEN severity >= 9 THEN 'Critical' WHEN severity >= 7 THEN 'High' WHEN severity >= 4 THEN 'Medium' ELSE 'Low' END`;

/**
 * Every version in the archive, then the latest per (accountId, region, id) by updatedAt and service.count,
 * as Yagura orders versions. Remote IPs are read where Yagura reads them: each action's remoteIpDetails
 * and the port probe details.
 */
function loadSql(archiveDir: string): string {
  const glob = path.join(archiveDir, 'AWSLogs', '**', '*.jsonl.gz').replaceAll("'", "''");
  return `
    CREATE OR REPLACE TEMP TABLE latest AS
    WITH versions AS (
      SELECT accountId, region, id, type, severity, epoch_ms(updatedAt::TIMESTAMPTZ) AS updated_ms,
             resource.resourceType AS resource_type, coalesce(service.count, 1) AS cnt, service.action AS action
      FROM read_json('${glob}', format = 'newline_delimited', compression = 'gzip',
        columns = {accountId: 'VARCHAR', region: 'VARCHAR', id: 'VARCHAR', type: 'VARCHAR', severity: 'DOUBLE', updatedAt: 'VARCHAR',
                   resource: 'STRUCT(resourceType VARCHAR)', service: 'STRUCT(count BIGINT, action JSON)'})
    )
    SELECT accountId, region, id, type, severity, ${BAND_SQL} AS band, updated_ms, resource_type,
      list_distinct(list_filter(list_transform(
        list_concat(json_extract(action, '$.*.remoteIpDetails'), json_extract(action, '$.portProbeAction.portProbeDetails[*].remoteIpDetails')),
        d -> coalesce(d ->> 'ipAddressV4', d ->> 'ipAddressV6')), ip -> ip IS NOT NULL)) AS ips
    FROM versions
    QUALIFY row_number() OVER (PARTITION BY accountId, region, id ORDER BY updated_ms DESC, cnt DESC) = 1`;
}

/**
 * The same 8 aggregations as OVERVIEW_AGGS, over findings updated at or after `fromMs`, on a table with the
 * columns accountId, region, type, severity, band (name), updated_ms, resource_type and ips (list).
 */
export function overviewSql(table: string, fromMs: number): Record<string, string> {
  const scope = `FROM ${table} WHERE updated_ms >= ${fromMs}`;
  const terms = (column: string, size: number): string =>
    `SELECT ${column} AS k, count(*) AS n ${scope} AND ${column} IS NOT NULL GROUP BY k ORDER BY n DESC, k LIMIT ${size}`;
  return {
    bands: terms('band', 4),
    types: terms('type', 10),
    accounts: terms('accountId', 10),
    regions: terms('region', 17),
    resourceTypes: terms('resource_type', 10),
    hourlyByBand: `SELECT band, (updated_ms // 3600000) * 3600000 AS hour, count(*) AS n ${scope} GROUP BY ALL ORDER BY band, hour`,
    severity: `SELECT count(severity) AS count, min(severity) AS min, max(severity) AS max, avg(severity) AS avg, sum(severity) AS sum ${scope}`,
    remoteIps: `SELECT ip AS k, count(*) AS n FROM (SELECT unnest(ips) AS ip ${scope}) GROUP BY k ORDER BY n DESC, k LIMIT 10`,
  };
}

async function rows(connection: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** Up to `runs` runs, each on a new in-memory database; no new run starts after `maxSeconds`. */
export async function measureDuckdbOverview(archiveDir: string, runs: number, maxSeconds: number): Promise<DuckdbOverviewResult> {
  const totals: number[] = [];
  const loads: number[] = [];
  const aggs: number[] = [];
  let answer: Omit<DuckdbOverviewResult, 'runs' | 'latency' | 'loadMs' | 'aggregateMs'> | undefined;
  const deadline = performance.now() + maxSeconds * 1000;
  for (let run = 0; run < runs && (run === 0 || performance.now() < deadline); run++) {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const t0 = performance.now();
      await connection.run(loadSql(archiveDir));
      const t1 = performance.now();
      const fromMs = Date.now() - 7 * 86_400_000;
      const results: Record<string, Record<string, unknown>[]> = {};
      for (const [name, sql] of Object.entries(overviewSql('latest', fromMs))) results[name] = await rows(connection, sql);
      const t2 = performance.now();
      loads.push(t1 - t0);
      aggs.push(t2 - t1);
      totals.push(t2 - t0);
      if (answer === undefined) {
        const counts = (await rows(connection, `SELECT count(*) AS findings, count(*) FILTER (WHERE updated_ms >= ${fromMs}) AS total FROM latest`))[0]!;
        const version = (await rows(connection, 'SELECT version() AS v'))[0]!;
        answer = {
          findings: Number(counts['findings']),
          total: Number(counts['total']),
          bands: Object.fromEntries(results['bands']!.map((r) => [String(r['k']), Number(r['n'])])),
          topRemoteIps: results['remoteIps']!.map((r) => ({ key: String(r['k']), doc_count: Number(r['n']) })),
          version: String(version['v']),
        };
      }
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  }
  return { runs: totals.length, latency: summarize(totals), loadMs: summarize(loads), aggregateMs: summarize(aggs), ...answer! };
}
