// Erasure jobs, the key digests they select and account tombstones in PostgreSQL.
import type { ErasureJob } from '../../erasure/erasure-job.js';
import { ERASURE_JOB_COLUMNS, jobValues, toJob, updateColumns, type ErasureJobRow } from '../../erasure/erasure-rows.js';
import type { ErasureStore, ErasureUpdate, Tombstone } from '../../erasure/erasure-store.js';
import type { PgDatabase } from './database.js';

export const ERASURE_TABLES: readonly string[] = [
  `CREATE TABLE erasure_jobs (
    id            text COLLATE "C" PRIMARY KEY,
    status        text NOT NULL,                    -- running | done | failed
    phase         text NOT NULL,                    -- removing | archive | done
    target        text NOT NULL,                    -- JSON ErasureTarget (its query cleared once removing ends)
    reason        text NOT NULL,
    requested_by  text NOT NULL,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL,
    finished_at   bigint,
    keys          bigint NOT NULL,
    counts        text NOT NULL,                    -- JSON ErasureCounts
    keys_digest   text,
    error         text
  )`,
  'CREATE INDEX erasure_jobs_status ON erasure_jobs (status, created_at)',
  // SHA-256 of each key a job selected (findings/key-digest.ts), until its receipt digest is computed.
  `CREATE TABLE erasure_keys (
    job     text COLLATE "C" NOT NULL,
    digest  bytea NOT NULL,
    PRIMARY KEY (job, digest)
  )`,
  // Accounts whose findings were erased: their findings are refused at ingest.
  `CREATE TABLE erasure_tombstones (
    account_id  text COLLATE "C" PRIMARY KEY,
    erasure     text NOT NULL,
    at          bigint NOT NULL
  )`,
];

export class PostgresErasureStore implements ErasureStore {
  constructor(private readonly db: PgDatabase) {}

  async create(job: ErasureJob): Promise<void> {
    await this.db.run(
      `INSERT INTO erasure_jobs (${ERASURE_JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      jobValues(job),
    );
  }

  async get(id: string): Promise<ErasureJob | undefined> {
    const [row] = await this.db.rows<ErasureJobRow>('SELECT * FROM erasure_jobs WHERE id = $1', [id]);
    return row && toJob(row);
  }

  async update(id: string, u: ErasureUpdate): Promise<void> {
    const set = updateColumns(u);
    const assignments = set.map(([column], i) => `${column} = $${i + 1}`).join(', ');
    await this.db.run(`UPDATE erasure_jobs SET ${assignments} WHERE id = $${set.length + 1}`, [...set.map(([, value]) => value), id]);
  }

  async running(): Promise<ErasureJob[]> {
    return (await this.db.rows<ErasureJobRow>(`SELECT * FROM erasure_jobs WHERE status = 'running' ORDER BY created_at, id`)).map(toJob);
  }

  async addKeys(id: string, digests: readonly Buffer[]): Promise<number> {
    if (digests.length > 0) {
      await this.db.run('INSERT INTO erasure_keys (job, digest) SELECT $1, d FROM unnest($2::bytea[]) AS d ON CONFLICT DO NOTHING', [id, digests]);
    }
    const [row] = await this.db.rows<{ n: string | number }>('SELECT count(*) AS n FROM erasure_keys WHERE job = $1', [id]);
    return Number(row?.n ?? 0);
  }

  async keyDigests(id: string): Promise<Buffer[]> {
    // bytea compares byte by byte: ascending byte order.
    return (await this.db.rows<{ digest: Buffer }>('SELECT digest FROM erasure_keys WHERE job = $1 ORDER BY digest', [id])).map((r) => r.digest);
  }

  async dropKeys(id: string): Promise<void> {
    await this.db.run('DELETE FROM erasure_keys WHERE job = $1', [id]);
  }

  async addTombstone(t: Tombstone): Promise<void> {
    await this.db.run('INSERT INTO erasure_tombstones (account_id, erasure, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [t.accountId, t.erasure, t.at]);
  }

  async tombstones(): Promise<Tombstone[]> {
    const rows = await this.db.rows<{ account_id: string; erasure: string; at: number }>('SELECT account_id, erasure, at FROM erasure_tombstones ORDER BY account_id');
    return rows.map((r) => ({ accountId: r.account_id, erasure: r.erasure, at: Number(r.at) }));
  }
}
