// Writes the path/value rows of findings whose current version changed: all of them for a new finding, and for an
// update only the paths whose values changed (a GuardDuty update mostly moves a count and a time).
import type { PoolClient } from 'pg';
import { documentValues, type DocumentValue } from './document-values.js';

/** A finding whose current version is now `doc`; `existed` when it had values before. */
export interface ReplacedDocument {
  readonly rid: number;
  readonly existed: boolean;
  readonly doc: Readonly<Record<string, unknown>>;
}

const TYPES = ['int8', 'int4', 'int2', 'text', 'text', 'float8', 'int8'];

/** A value as PostgreSQL gives it back (lone surrogates become U+FFFD on the way in). */
function signature(kind: number, text: string | null | undefined, number: number | null | undefined): string {
  return `${kind}:${text?.replace(/\p{Cs}/gu, '\uFFFD') ?? ''}:${number ?? ''}`;
}

/**
 * Replaces the values of each finding, path by path; `paths` numbers the paths committed so far. Returns the numbers
 * given to new paths, to be remembered once the transaction commits (a rolled back number may be given again).
 */
export async function writeValues(client: PoolClient, replaced: readonly ReplacedDocument[], paths: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const fresh = replaced.map((r) => ({ rid: r.rid, existed: r.existed, values: documentValues(r.doc) }));
  const newPaths = await numberPaths(client, [...new Set(fresh.flatMap((f) => f.values.map((v) => v.path)))].filter((p) => !paths.has(p)));
  const id = (path: string): number => paths.get(path) ?? newPaths.get(path)!;

  // What each existing finding holds now, by path.
  const held = new Map<number, Map<number, string[]>>();
  const existing = fresh.filter((f) => f.existed).map((f) => f.rid);
  if (existing.length > 0) {
    const rows = await client.query<{ finding: number; path: number; kind: number; text: string | null; long_text: string | null; number: number | null }>(
      'SELECT finding, path, kind, text, long_text, number FROM finding_values WHERE finding = ANY($1::int8[])',
      [existing],
    );
    for (const r of rows.rows) {
      let byPath = held.get(r.finding);
      if (byPath === undefined) held.set(r.finding, (byPath = new Map()));
      let list = byPath.get(r.path);
      if (list === undefined) byPath.set(r.path, (list = []));
      list.push(signature(r.kind, r.text ?? r.long_text, r.number));
    }
  }

  const deletes: Array<[number, number]> = [];
  const inserts: Array<[number, number, DocumentValue]> = [];
  for (const f of fresh) {
    const byPath = new Map<number, DocumentValue[]>();
    for (const v of f.values) {
      const p = id(v.path);
      const list = byPath.get(p);
      if (list === undefined) byPath.set(p, [v]);
      else list.push(v);
    }
    const before = held.get(f.rid) ?? new Map<number, string[]>();
    for (const [p, values] of byPath) {
      const old = before.get(p);
      if (old !== undefined && sameValues(old, values)) continue;
      if (old !== undefined) deletes.push([f.rid, p]);
      for (const v of values) inserts.push([f.rid, p, v]);
    }
    for (const p of before.keys()) if (!byPath.has(p)) deletes.push([f.rid, p]);
  }
  if (deletes.length > 0) {
    await client.query('DELETE FROM finding_values v USING unnest($1::int8[], $2::int4[]) AS d (finding, path) WHERE v.finding = d.finding AND v.path = d.path', [
      deletes.map((d) => d[0]), deletes.map((d) => d[1]),
    ]);
  }
  if (inserts.length > 0) {
    const rows = inserts.map(([rid, p, v]) => [rid, p, v.kind, v.text ?? null, v.longText ?? null, v.number ?? null, v.time ?? null]);
    await client.query(
      `INSERT INTO finding_values (finding, path, kind, text, long_text, number, time)
       SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`,
      TYPES.map((_, i) => rows.map((row) => row[i])),
    );
  }
  return newPaths;
}

function sameValues(old: readonly string[], values: readonly DocumentValue[]): boolean {
  if (old.length !== values.length) return false;
  const now = values.map((v) => signature(v.kind, v.text ?? v.longText, v.number)).sort();
  return [...old].sort().every((s, i) => s === now[i]);
}

/** Numbers new paths (once for all findings); the CTE's rows are not visible to the outer SELECT, so each comes once. */
async function numberPaths(client: PoolClient, missing: readonly string[]): Promise<Map<string, number>> {
  const numbers = new Map<string, number>();
  if (missing.length === 0) return numbers;
  const rows = await client.query<{ id: number; path: string }>(
    `WITH added AS (INSERT INTO document_paths (path) SELECT unnest($1::text[]) ON CONFLICT (path) DO NOTHING RETURNING id, path)
     SELECT id, path FROM added UNION ALL SELECT id, path FROM document_paths WHERE path = ANY($1::text[])`,
    [missing],
  );
  for (const r of rows.rows) numbers.set(r.path, r.id);
  return numbers;
}
