// An erasure job as both backends store it: one row type and one mapping (PostgreSQL's bigint columns come back as
// text or numbers; Number() reads either).
import type { ErasureJob } from './erasure-job.js';
import type { ErasureUpdate } from './erasure-store.js';

export interface ErasureJobRow {
  id: string;
  status: ErasureJob['status'];
  phase: ErasureJob['phase'];
  target: string;
  reason: string;
  requested_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  keys: number;
  counts: string;
  keys_digest: string | null;
  error: string | null;
}

/** The columns of `erasure_jobs` in the order `jobValues` gives them. */
export const ERASURE_JOB_COLUMNS = 'id, status, phase, target, reason, requested_by, created_at, updated_at, finished_at, keys, counts, keys_digest, error';

export function jobValues(job: ErasureJob): unknown[] {
  return [job.id, job.status, job.phase, JSON.stringify(job.target), job.reason, job.requestedBy, job.createdAt, job.updatedAt, job.finishedAt ?? null, job.keys, JSON.stringify(job.counts), job.keysDigest ?? null, job.error ?? null];
}

export function toJob(r: ErasureJobRow): ErasureJob {
  return {
    id: r.id,
    status: r.status,
    phase: r.phase,
    target: JSON.parse(r.target) as ErasureJob['target'],
    reason: r.reason,
    requestedBy: r.requested_by,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    ...(r.finished_at !== null && { finishedAt: Number(r.finished_at) }),
    keys: Number(r.keys),
    counts: JSON.parse(r.counts) as ErasureJob['counts'],
    ...(r.keys_digest !== null && { keysDigest: r.keys_digest }),
    ...(r.error !== null && { error: r.error }),
  };
}

/** The columns an update sets and their values, `updated_at` first; each backend writes its own placeholders. */
export function updateColumns(u: ErasureUpdate): Array<[column: string, value: unknown]> {
  const set: Array<[string, unknown]> = [['updated_at', u.updatedAt]];
  if (u.status !== undefined) set.push(['status', u.status]);
  if (u.phase !== undefined) set.push(['phase', u.phase]);
  if (u.counts !== undefined) set.push(['counts', JSON.stringify(u.counts)]);
  if (u.keys !== undefined) set.push(['keys', u.keys]);
  if (u.target !== undefined) set.push(['target', JSON.stringify(u.target)]);
  if (u.finishedAt !== undefined) set.push(['finished_at', u.finishedAt]);
  if (u.keysDigest !== undefined) set.push(['keys_digest', u.keysDigest]);
  if (u.error !== undefined) set.push(['error', u.error]);
  return set;
}
