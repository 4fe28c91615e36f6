// Stores finding versions in PostgreSQL: one current record per key, superseded versions as history, nothing
// twice, the change log and the archive outbox written in the same transaction. A batch costs a dozen statements
// whatever its size: the outcome of each version is worked out here, then every table is written in one go.
import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Finding } from '../../findings/finding.js';
import { bandRank } from '../../findings/severity.js';
import { compareVersions } from '../../findings/version-order.js';
import type { UpsertOptions, UpsertOutcome, UpsertResult } from '../finding-store.js';
import { writeArchive } from './archive-rows.js';
import { storableText } from './document-values.js';
import { exactDecimal } from './exact-decimal.js';
import { writeValues } from './value-rows.js';
import { tsvectorText } from './words.js';

interface CurrentRow {
  rid: number;
  account_id: string;
  region: string;
  id: string;
  band: number;
  hash: string;
  updated_at: number;
  count: number;
  text_hash: string;
}

/** What the batch does to one finding, worked out version by version in batch order. */
interface KeyState {
  rid?: number;
  readonly existed: boolean;
  /** The current version: the stored one, or the newest of the batch. */
  current?: { readonly hash: string; readonly updatedAt: number; readonly count: number; readonly band: number };
  /** The batch's version that became current, when one did. */
  replacedBy?: Finding;
  /** Hashes known to be stored (or stored by this batch). */
  readonly known: Set<string>;
  added: number;
  /** Hash of the stored free text, for an existing finding. */
  readonly textHash?: string;
}

/** A version the batch stores, in batch order, with what it did and the number it is stored under. */
interface NewVersion {
  readonly finding: Finding;
  seq?: number;
  readonly state: KeyState;
  readonly outcome: 'created' | 'updated' | 'history';
  readonly replaced?: { readonly band: number; readonly count: number };
}

/** Columns of `findings` read from the current version, with their array type for unnest. */
const COLUMNS: ReadonlyArray<readonly [column: string, type: string, value: (f: Finding) => unknown]> = [
  ['arn', 'text', (f) => text(f.arn)],
  ['type', 'text', (f) => storableText(f.type)],
  ['severity', 'float8', (f) => f.severity],
  ['severity_exact', 'numeric', (f) => exactDecimal(f.severity)],
  ['band', 'int2', (f) => bandRank(f.band)],
  ['title', 'text', (f) => text(f.title)],
  ['resource_type', 'text', (f) => text(f.resourceType)],
  ['action_type', 'text', (f) => text(f.actionType)],
  ['resource_id', 'text', (f) => text(f.resourceId)],
  ['created_at', 'int8', (f) => f.createdAt ?? null],
  ['updated_at', 'int8', (f) => f.updatedAt],
  ['count', 'int8', (f) => f.count],
  ['archived', 'bool', (f) => f.archived],
  ['sample', 'bool', (f) => f.sample],
  ['hash', 'text', (f) => f.hash],
  ['text_hash', 'text', (f) => textHash(f.text)],
];

/** Hash of a version's free text: an update whose text is the same leaves the finding's words as they are. */
function textHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

function text(value: string | undefined): string | null {
  return value === undefined ? null : storableText(value);
}

/** `unnest($k::type[], …) AS u(name, …)` over columns of values, numbering parameters from `first`. */
function unnest(first: number, columns: ReadonlyArray<readonly [name: string, type: string]>): string {
  return `unnest(${columns.map(([, type], i) => `$${first + i}::${type}[]`).join(', ')}) AS u(${columns.map(([name]) => name).join(', ')})`;
}

/** `INSERT … SELECT * FROM unnest(…)` of rows given as arrays of column values. */
async function insertRows(client: PoolClient, into: string, types: readonly string[], rows: ReadonlyArray<readonly unknown[]>, suffix = ''): Promise<void> {
  if (rows.length === 0) return;
  await client.query(`INSERT INTO ${into} SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})${suffix}`, types.map((_, i) => rows.map((r) => r[i])));
}

/**
 * Stores a batch in the caller's transaction. The change log's head row is locked first: writers take turns, so
 * change numbers follow commit order and a new key cannot be inserted by two instances at once. `paths` holds the
 * document path numbers committed so far; the numbers this batch gave new paths are returned in `newPaths`, to
 * be remembered once it commits; `slots` are the row ids of the findings whose current version changed.
 */
export async function upsertBatch(
  client: PoolClient,
  findings: readonly Finding[],
  receivedAt: number,
  options: UpsertOptions,
  paths: ReadonlyMap<string, number>,
): Promise<UpsertResult & { newPaths: Map<string, number>; slots: number[] }> {
  let seq = Number((await client.query<{ last_seq: number }>('SELECT last_seq FROM finding_change_head FOR UPDATE')).rows[0]!.last_seq);
  const states = await loadStates(client, findings);
  const outcomes: UpsertOutcome[] = [];
  const versions: NewVersion[] = [];
  for (const f of findings) {
    const state = states.get(keyOf(f))!;
    const current = state.current;
    let outcome: UpsertOutcome;
    if (current === undefined) outcome = 'created';
    else if (state.known.has(f.hash)) outcome = 'unchanged';
    else outcome = compareVersions(f, current) > 0 ? 'updated' : 'history';
    outcomes.push(outcome);
    if (outcome === 'unchanged') continue;
    state.known.add(f.hash);
    state.added++;
    if (outcome !== 'history') {
      state.current = { hash: f.hash, updatedAt: f.updatedAt, count: f.count, band: bandRank(f.band) };
      state.replacedBy = f;
    }
    versions.push({ finding: f, state, outcome, ...(outcome === 'updated' && { replaced: { band: current!.band, count: current!.count } }) });
  }
  if (versions.length === 0) return { outcomes, archive: { objects: [] }, newPaths: new Map(), slots: [] };

  // Version numbers first, so that findings rows are written once, pointing at their current version.
  const numbers = await client.query<{ seq: number }>("SELECT nextval(pg_get_serial_sequence('finding_versions', 'seq')) AS seq FROM generate_series(1, $1)", [versions.length]);
  versions.forEach((v, i) => {
    v.seq = numbers.rows[i]!.seq;
  });
  const currentSeq = new Map(versions.filter((v) => v.outcome !== 'history').map((v) => [v.state, v.seq!]));
  const touched = [...states.values()].filter((s) => s.added > 0);
  await insertNewFindings(client, touched.filter((s) => !s.existed), currentSeq, receivedAt);
  await updateFindings(client, touched.filter((s) => s.existed), currentSeq, receivedAt);
  await insertRows(client, 'finding_versions (seq, finding, hash, updated_at, count, received_at, doc) OVERRIDING SYSTEM VALUE', ['int8', 'int8', 'text', 'int8', 'int8', 'int8', 'text'],
    versions.map((v) => [v.seq, v.state.rid, v.finding.hash, v.finding.updatedAt, v.finding.count, receivedAt, v.finding.json]));

  const replaced = touched.filter((s) => s.replacedBy !== undefined);
  await writeWords(client, replaced);
  await writeRemoteParties(client, replaced);
  const newPaths = await writeValues(client, replaced.map((s) => ({ rid: s.rid!, existed: s.existed, doc: s.replacedBy!.doc })), paths);

  const changes = versions.filter((v) => v.outcome !== 'history').map((v) => [
    ++seq, v.state.rid!, v.finding.hash, v.outcome, bandRank(v.finding.band), v.replaced?.band ?? null, v.finding.count, v.replaced?.count ?? null, receivedAt,
  ]);
  if (changes.length > 0) {
    await insertRows(client, 'finding_changes (seq, finding, hash, outcome, band, prev_band, count, prev_count, at)', ['int8', 'int8', 'text', 'text', 'int2', 'int2', 'int8', 'int8', 'int8'], changes);
    await client.query('UPDATE finding_change_head SET last_seq = $1', [seq]);
  }
  const archive = await writeArchive(client, versions.map((v) => ({ finding: v.finding, rid: v.state.rid! })), receivedAt, options.sealArchive === true);
  // The findings whose current record changed (history also changes last_seen and versions, which no facet holds).
  return { outcomes, archive, newPaths, slots: replaced.map((s) => s.rid!) };
}

function keyOf(f: Finding): string {
  return `${f.key.accountId}\u0000${f.key.region}\u0000${f.key.id}`;
}

/** The stored state of every key of the batch, with the hashes of stored versions the batch brings again. */
async function loadStates(client: PoolClient, findings: readonly Finding[]): Promise<Map<string, KeyState>> {
  const keys = new Map(findings.map((f) => [keyOf(f), f.key]));
  const list = [...keys.values()];
  const found = await client.query<CurrentRow>(
    `SELECT f.rid, f.account_id, f.region, f.id, f.band, f.hash, f.updated_at, f.count, f.text_hash FROM findings f
     JOIN unnest($1::text[], $2::text[], $3::text[]) AS k (account_id, region, id) USING (account_id, region, id)`,
    [list.map((k) => k.accountId), list.map((k) => k.region), list.map((k) => k.id)],
  );
  const states = new Map<string, KeyState>();
  for (const r of found.rows) {
    states.set(`${r.account_id}\u0000${r.region}\u0000${r.id}`, {
      rid: r.rid, existed: true, current: { hash: r.hash, updatedAt: r.updated_at, count: r.count, band: r.band }, known: new Set([r.hash]), added: 0, textHash: r.text_hash,
    });
  }
  for (const key of keys.keys()) if (!states.has(key)) states.set(key, { existed: false, known: new Set(), added: 0 });
  // A version that is not the current one may still be stored, as history.
  const probes = findings.filter((f) => {
    const s = states.get(keyOf(f))!;
    return s.existed && s.current!.hash !== f.hash;
  });
  if (probes.length > 0) {
    const stored = await client.query<{ finding: number; hash: string }>(
      `SELECT v.finding, v.hash FROM finding_versions v JOIN unnest($1::int8[], $2::text[]) AS k (finding, hash) USING (finding, hash)`,
      [probes.map((f) => states.get(keyOf(f))!.rid), probes.map((f) => f.hash)],
    );
    const byRid = new Map([...states.values()].filter((s) => s.rid !== undefined).map((s) => [s.rid!, s]));
    for (const r of stored.rows) byRid.get(r.finding)?.known.add(r.hash);
  }
  return states;
}

/** Inserts the batch's new findings as their newest version, and learns their row ids. */
async function insertNewFindings(client: PoolClient, created: readonly KeyState[], currentSeq: ReadonlyMap<KeyState, number>, receivedAt: number): Promise<void> {
  if (created.length === 0) return;
  const columns: Array<readonly [string, string]> = [['account_id', 'text'], ['region', 'text'], ['id', 'text'], ...COLUMNS.map(([c, t]) => [c, t] as const), ['versions', 'int4'], ['current', 'int8']];
  const values = [
    created.map((s) => s.replacedBy!.key.accountId),
    created.map((s) => s.replacedBy!.key.region),
    created.map((s) => s.replacedBy!.key.id),
    ...COLUMNS.map(([, , value]) => created.map((s) => value(s.replacedBy!))),
    created.map((s) => s.added),
    created.map((s) => currentSeq.get(s)),
  ];
  const r = values.length + 1;
  const rows = await client.query<{ rid: number; account_id: string; region: string; id: string }>(
    `INSERT INTO findings (${columns.map(([c]) => c).join(', ')}, first_seen, last_seen, received_at)
     SELECT ${columns.map(([c]) => `u.${c}`).join(', ')}, $${r}, $${r}, $${r} FROM ${unnest(1, columns)}
     RETURNING rid, account_id, region, id`,
    [...values, receivedAt],
  );
  const byKey = new Map(created.map((s) => [keyOf(s.replacedBy!), s]));
  for (const row of rows.rows) byKey.get(`${row.account_id}\u0000${row.region}\u0000${row.id}`)!.rid = row.rid;
}

/** Rewrites the findings a newer version replaced, and counts the versions stored as history. */
async function updateFindings(client: PoolClient, existing: readonly KeyState[], currentSeq: ReadonlyMap<KeyState, number>, receivedAt: number): Promise<void> {
  const updated = existing.filter((s) => s.replacedBy !== undefined);
  if (updated.length > 0) {
    const columns: Array<readonly [string, string]> = [['rid', 'int8'], ...COLUMNS.map(([c, t]) => [c, t] as const), ['added', 'int4'], ['current', 'int8']];
    const r = columns.length + 1;
    await client.query(
      `UPDATE findings f SET ${COLUMNS.map(([c]) => `${c} = u.${c}`).join(', ')}, last_seen = $${r}, received_at = $${r},
         versions = f.versions + u.added, current = u.current
       FROM ${unnest(1, columns)} WHERE f.rid = u.rid`,
      [updated.map((s) => s.rid), ...COLUMNS.map(([, , value]) => updated.map((s) => value(s.replacedBy!))), updated.map((s) => s.added), updated.map((s) => currentSeq.get(s)), receivedAt],
    );
  }
  const history = existing.filter((s) => s.replacedBy === undefined);
  if (history.length > 0) {
    await client.query('UPDATE findings f SET last_seen = $3, versions = f.versions + u.added FROM unnest($1::int8[], $2::int4[]) AS u (rid, added) WHERE f.rid = u.rid', [
      history.map((s) => s.rid), history.map((s) => s.added), receivedAt,
    ]);
  }
}

/** The words of every finding whose current version changed, unless its text stayed the same. */
async function writeWords(client: PoolClient, replaced: readonly KeyState[]): Promise<void> {
  const changed = replaced.filter((s) => !s.existed || s.textHash !== textHash(s.replacedBy!.text));
  const existing = changed.filter((s) => s.existed).map((s) => s.rid);
  if (existing.length > 0) await client.query('DELETE FROM finding_words WHERE finding = ANY($1::int8[])', [existing]);
  await insertRows(client, 'finding_words (finding, words)', ['int8', 'tsvector'], changed.map((s) => [s.rid, tsvectorText(s.replacedBy!.text)]));
}

/** The remote parties of every finding whose current version changed, with its time and band. */
async function writeRemoteParties(client: PoolClient, replaced: readonly KeyState[]): Promise<void> {
  const existing = replaced.filter((s) => s.existed).map((s) => s.rid);
  if (existing.length > 0) await client.query('DELETE FROM finding_remote_ips WHERE finding = ANY($1::int8[])', [existing]);
  const rows = replaced.flatMap((s) => s.replacedBy!.remoteParties.map((p) => [s.rid, p.ip, text(p.country), text(p.org), s.replacedBy!.updatedAt, bandRank(s.replacedBy!.band)]));
  await insertRows(client, 'finding_remote_ips (finding, ip, country, org, updated_at, band)', ['int8', 'text', 'text', 'text', 'int8', 'int2'], rows, ' ON CONFLICT DO NOTHING');
}
