// Contender (b): a DuckDB file with the same columns, batches through the appender and INSERT … ON CONFLICT.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BIGINT, DOUBLE, DuckDBInstance, LIST, VARCHAR, listValue, type DuckDBAppender, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Finding, FindingKey } from '../../src/findings/finding.js';
import { overviewSql } from '../duckdb-overview.js';
import type { Contender, SearchSpec } from './contender.js';

/** Columns of the current-version table; `findings_staging` has the same ones for each batch. */
const COLUMNS = `accountId VARCHAR NOT NULL, region VARCHAR NOT NULL, id VARCHAR NOT NULL, type VARCHAR NOT NULL,
  severity DOUBLE NOT NULL, band VARCHAR NOT NULL, resource_type VARCHAR, updated_ms BIGINT NOT NULL, cnt BIGINT NOT NULL,
  hash VARCHAR NOT NULL, received_ms BIGINT NOT NULL, ips VARCHAR[], doc VARCHAR NOT NULL`;
const NAMES = 'accountId, region, id, type, severity, band, resource_type, updated_ms, cnt, hash, received_ms, ips, doc';
const VERSION_NAMES = 'accountId, region, id, hash, updated_ms, cnt, received_ms, doc';

/** Yagura's version order: later updatedAt, then higher count, then the larger hash. */
const NEWER = `(excluded.updated_ms > findings.updated_ms OR (excluded.updated_ms = findings.updated_ms AND
  (excluded.cnt > findings.cnt OR (excluded.cnt = findings.cnt AND excluded.hash > findings.hash))))`;
const UPDATE_SET = ['type', 'severity', 'band', 'resource_type', 'updated_ms', 'cnt', 'hash', 'received_ms', 'ips', 'doc']
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

const SCHEMA = `
  CREATE TABLE findings (${COLUMNS}, PRIMARY KEY (accountId, region, id));
  -- Every distinct version (the current one too), so history is one lookup and duplicates are one key check.
  CREATE TABLE finding_versions (accountId VARCHAR NOT NULL, region VARCHAR NOT NULL, id VARCHAR NOT NULL, hash VARCHAR NOT NULL,
    updated_ms BIGINT NOT NULL, cnt BIGINT NOT NULL, received_ms BIGINT NOT NULL, doc VARCHAR NOT NULL,
    PRIMARY KEY (accountId, region, id, hash));
  CREATE TEMP TABLE findings_staging (${COLUMNS});`;

function band(severity: number): string {
  return severity >= 9 ? 'Critical' : severity >= 7 ? 'High' : severity >= 4 ? 'Medium' : 'Low';
}

function appendRow(appender: DuckDBAppender, f: Finding, receivedAt: number): void {
  appender.appendVarchar(f.key.accountId);
  appender.appendVarchar(f.key.region);
  appender.appendVarchar(f.key.id);
  appender.appendVarchar(f.type);
  appender.appendDouble(f.severity);
  appender.appendVarchar(band(f.severity));
  if (f.resourceType === undefined) appender.appendNull();
  else appender.appendVarchar(f.resourceType);
  appender.appendBigInt(BigInt(f.updatedAt));
  appender.appendBigInt(BigInt(f.count));
  appender.appendVarchar(f.hash);
  appender.appendBigInt(BigInt(receivedAt));
  appender.appendList(f.remoteParties.map((p) => p.ip), LIST(VARCHAR));
  appender.appendVarchar(JSON.stringify(f.doc));
  appender.endRow();
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export async function openDuckdbContender(dir: string): Promise<Contender> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'findings.duckdb');
  const instance = await DuckDBInstance.create(file);
  const connection: DuckDBConnection = await instance.connect();
  await connection.run(SCHEMA);
  // Versions of one finding in the same batch: only the newest may meet ON CONFLICT (DuckDB updates a row once per statement).
  const mergeBatch = `
    INSERT INTO finding_versions SELECT ${VERSION_NAMES} FROM findings_staging ON CONFLICT DO NOTHING;
    INSERT INTO findings SELECT ${NAMES} FROM findings_staging
      QUALIFY row_number() OVER (PARTITION BY accountId, region, id ORDER BY updated_ms DESC, cnt DESC, hash DESC) = 1
      ON CONFLICT (accountId, region, id) DO UPDATE SET ${UPDATE_SET} WHERE ${NEWER};
    DELETE FROM findings_staging;`;
  const insertVersion: DuckDBPreparedStatement = await connection.prepare(
    `INSERT INTO finding_versions (${VERSION_NAMES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
  );
  const upsertCurrent: DuckDBPreparedStatement = await connection.prepare(
    `INSERT INTO findings (${NAMES}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT (accountId, region, id) DO UPDATE SET ${UPDATE_SET} WHERE ${NEWER}`,
  );
  const one = async <T>(sql: string): Promise<T> => (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as T;

  return {
    name: 'DuckDB (table + ON CONFLICT)',
    async upsert(findings: readonly Finding[], receivedAt: number): Promise<void> {
      await connection.run('BEGIN TRANSACTION');
      try {
        const appender = await connection.createAppender('findings_staging', 'main', 'temp');
        for (const f of findings) appendRow(appender, f, receivedAt);
        appender.closeSync();
        await connection.run(mergeBatch);
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    },
    async upsertOne(f: Finding, receivedAt: number): Promise<void> {
      const doc = JSON.stringify(f.doc);
      const updated = BigInt(f.updatedAt);
      const count = BigInt(f.count);
      const received = BigInt(receivedAt);
      await connection.run('BEGIN TRANSACTION');
      try {
        insertVersion.bind([f.key.accountId, f.key.region, f.key.id, f.hash, updated, count, received, doc]);
        await insertVersion.run();
        upsertCurrent.bind(
          [f.key.accountId, f.key.region, f.key.id, f.type, f.severity, band(f.severity), f.resourceType ?? null, updated, count, f.hash, received,
            listValue(f.remoteParties.map((p) => p.ip)), doc],
          [VARCHAR, VARCHAR, VARCHAR, VARCHAR, DOUBLE, VARCHAR, VARCHAR, BIGINT, BIGINT, VARCHAR, BIGINT, LIST(VARCHAR), VARCHAR],
        );
        await upsertCurrent.run();
        await connection.run('COMMIT');
      } catch (error) {
        await connection.run('ROLLBACK');
        throw error;
      }
    },
    async get(key: FindingKey): Promise<{ hash: string; history: number } | undefined> {
      const where = `accountId = ${quote(key.accountId)} AND region = ${quote(key.region)} AND id = ${quote(key.id)}`;
      const current = (await connection.runAndReadAll(`SELECT hash, doc FROM findings WHERE ${where}`)).getRowObjectsJS()[0];
      if (current === undefined) return undefined;
      const history = (await connection.runAndReadAll(`SELECT hash, updated_ms, cnt, doc FROM finding_versions WHERE ${where}`)).getRowObjectsJS();
      return { hash: String(current['hash']), history: history.length };
    },
    async search(spec: SearchSpec): Promise<{ total: number; rows: number }> {
      const where = spec.fromMs === undefined ? spec.duckdbWhere : `(${spec.duckdbWhere}) AND updated_ms >= ${spec.fromMs}`;
      const total = await one<{ n: bigint }>(`SELECT count(*) AS n FROM findings WHERE ${where}`);
      const rows = (await connection.runAndReadAll(
        `SELECT accountId, region, id, doc FROM findings WHERE ${where} ORDER BY updated_ms DESC, accountId DESC, region DESC, id DESC LIMIT 51`,
      )).getRowObjectsJS();
      for (const row of rows) JSON.parse(String(row['doc']));
      return { total: Number(total.n), rows: Math.min(50, rows.length) };
    },
    async overview(fromMs: number): Promise<{ total: number; bands: Record<string, number> }> {
      const total = await one<{ n: bigint }>(`SELECT count(*) AS n FROM findings WHERE updated_ms >= ${fromMs}`);
      let bands: Record<string, number> = {};
      for (const [name, sql] of Object.entries(overviewSql('findings', fromMs))) {
        const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS();
        if (name === 'bands') bands = Object.fromEntries(rows.map((r) => [String(r['k']), Number(r['n'])]));
      }
      return { total: Number(total.n), bands };
    },
    async counts(): Promise<{ findings: number; versions: number }> {
      const row = await one<{ f: bigint; v: bigint }>('SELECT (SELECT count(*) FROM findings) AS f, (SELECT count(*) FROM finding_versions) AS v');
      return { findings: Number(row.f), versions: Number(row.v) };
    },
    async diskBytes(): Promise<number> {
      const size = (f: string): Promise<number> => stat(f).then((s) => s.size, () => 0);
      return (await size(file)) + (await size(`${file}.wal`));
    },
    async close(): Promise<void> {
      await connection.run('CHECKPOINT');
      insertVersion.destroySync();
      upsertCurrent.destroySync();
      connection.closeSync();
      instance.closeSync();
    },
  };
}
