// Where a CLI verb sends its work: a running server over HTTP, or a data folder opened directly.
import type { Finding } from '../findings/finding.js';
import { Readable } from 'node:stream';
import { openEmbedded, type Embedded } from '../main.js';
import { exportFindings, type ExportFormat } from '../api/finding-export.js';
import { bindQuery } from '../query/bind.js';
import { presentFinding, type PresentedFinding } from '../api/present.js';
import { parseSort } from '../api/routes/findings.js';
import { parseQuery } from '../query/parser.js';
import { resolveTimeRange } from '../query/time-range.js';
import type { BulkLoad } from '../store/backend.js';
import type { SearchPosition } from '../store/finding-store.js';
import { receive } from '../ingest/receive.js';
import { archiveSettings } from './archive-settings.js';
import { CliError } from './cli-error.js';

export interface ImportTally {
  created: number;
  updated: number;
  unchanged: number;
  ignored: number;
  readonly rejected: Array<{ ref: string; code: string; message: string }>;
}

export interface SearchParams {
  readonly q: string;
  readonly from?: string;
  readonly to?: string;
  readonly sort?: string;
  readonly size: number;
  readonly cursor?: string;
}

export interface SearchResult {
  readonly total: number;
  readonly totalRelation?: 'eq' | 'gte';
  readonly findings: readonly PresentedFinding[];
  readonly nextCursor: string | null;
}

export interface ExportParams {
  readonly q: string;
  readonly from?: string;
  readonly to?: string;
  readonly format: ExportFormat;
}

/** Validated findings to store; `refs[i]` names where finding i came from in messages (`file:line`). */
export interface ImportBatch {
  readonly findings: Finding[];
  readonly refs: string[];
}

export interface Target {
  /**
   * Called before an import of files holding about `compressedBytes`; a data folder may prepare for a bulk
   * load (true: it deferred its search indexes, which `endImport` builds). `endImport` is then called once,
   * whether the import succeeded or not.
   */
  beginImport(compressedBytes: number): Promise<boolean>;
  endImport(): Promise<void>;
  /** Stores a batch of findings and counts the outcomes in `tally`. */
  ingest(batch: ImportBatch, tally: ImportTally): Promise<void>;
  search(params: SearchParams): Promise<SearchResult>;
  /** The export's text as it arrives (a server's stream, or the folder's pages), to be written as it comes. */
  export(params: ExportParams): AsyncIterable<Buffer | string>;
  close(): Promise<void>;
}

export interface TargetOptions {
  readonly url?: string;
  readonly apiKey?: string;
  readonly data?: string;
}

const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
const MAX_REQUEST_ITEMS = 5000;

class RemoteTarget implements Target {
  constructor(
    private readonly url: string,
    private readonly apiKey: string,
  ) {}

  private async call(path: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.url), { ...init, headers: { ...init.headers, authorization: `Bearer ${this.apiKey}` } });
    } catch (error) {
      throw new CliError(`cannot reach the server at ${this.url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    if (!response.ok && !(response.status === 400 && body && 'rejected' in body)) {
      throw new CliError(`the server answered ${response.status}: ${body?.error?.message ?? response.statusText}`);
    }
    return body;
  }

  async beginImport(): Promise<boolean> {
    return false;
  }

  async endImport(): Promise<void> {}

  async ingest(batch: ImportBatch, tally: ImportTally): Promise<void> {
    let lines: string[] = [];
    let sent: number[] = [];
    let bytes = 0;
    const post = async (): Promise<void> => {
      if (lines.length === 0) return;
      const report = (await this.call('/api/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: `${lines.join('\n')}\n`,
      })) as { created: number; updated: number; duplicates: number; ignored: number; rejected: Array<{ index: number; code: string; message: string }> };
      tally.created += report.created;
      tally.updated += report.updated;
      tally.unchanged += report.duplicates;
      tally.ignored += report.ignored;
      for (const r of report.rejected) tally.rejected.push({ ref: batch.refs[sent[r.index]!] ?? '?', code: r.code, message: r.message });
      lines = [];
      sent = [];
      bytes = 0;
    };
    // Findings were validated here already; the server validates them again, as it does every request.
    for (const [i, finding] of batch.findings.entries()) {
      // Stay under the server's default body limit (10 MiB) and item limit (10,000).
      if (bytes + finding.json.length > MAX_REQUEST_BYTES || lines.length >= MAX_REQUEST_ITEMS) await post();
      lines.push(finding.json);
      sent.push(i);
      bytes += finding.json.length + 1;
    }
    await post();
  }

  async search(params: SearchParams): Promise<SearchResult> {
    const query = new URLSearchParams({ q: params.q, size: String(params.size) });
    for (const key of ['from', 'to', 'sort', 'cursor'] as const) {
      const value = params[key];
      if (value !== undefined) query.set(key, value);
    }
    return (await this.call(`/api/v1/findings?${query}`, { method: 'GET' })) as SearchResult;
  }

  async *export(params: ExportParams): AsyncIterable<Buffer> {
    const query = new URLSearchParams({ q: params.q, format: params.format });
    if (params.from !== undefined) query.set('from', params.from);
    if (params.to !== undefined) query.set('to', params.to);
    let response: Response;
    try {
      response = await fetch(new URL(`/api/v1/findings/export?${query}`, this.url), { headers: { authorization: `Bearer ${this.apiKey}` } });
    } catch (error) {
      throw new CliError(`cannot reach the server at ${this.url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
    }
    if (!response.ok || response.body === null) {
      const body = (await response.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
      throw new CliError(`the server answered ${response.status}: ${body?.error?.message ?? response.statusText}`);
    }
    try {
      for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>)) yield chunk as Buffer;
    } catch (error) {
      throw new CliError(`the export stopped part way (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}): what was written is incomplete`);
    }
  }

  async close(): Promise<void> {}
}

/**
 * Compressed export bytes per finding version, set high (GuardDuty's objects and the benchmark's run about
 * 300–900) so that the estimate of an import's versions errs low: a backend prepares for a bulk load only for
 * imports that clearly outweigh the store.
 */
const EXPORT_BYTES_PER_VERSION = 1000;

class LocalTarget implements Target {
  private load: BulkLoad | undefined;

  constructor(private readonly embedded: Embedded) {}

  /** The backend may prepare for the import's expected versions (SQLite: defer the search indexes). */
  async beginImport(compressedBytes: number): Promise<boolean> {
    this.load = await this.embedded.backend.bulkLoad(compressedBytes / EXPORT_BYTES_PER_VERSION);
    return this.load !== undefined;
  }

  async endImport(): Promise<void> {
    await this.embedded.pipeline.flush();
    const load = this.load;
    this.load = undefined;
    await load?.finish();
  }

  /** Accounts erased by account: their findings are refused, as the server refuses them. */
  private erased: Set<string> | undefined;

  async ingest(batch: ImportBatch, tally: ImportTally): Promise<void> {
    this.erased ??= new Set((await this.embedded.backend.erasures.tombstones()).map((t) => t.accountId));
    const erased = this.erased;
    // The parse thread counted what it read, ignored and rejected; the batch holds the valid findings.
    const classified = { findings: [...batch.findings], indexes: batch.findings.map((_, i) => i), ignored: 0, rejected: [] };
    const result = await receive(this.embedded.pipeline, {
      source: 'import',
      received: batch.findings.length,
      classified,
      ...(erased.size > 0 && { isErasedAccount: (accountId: string) => erased.has(accountId) }),
    });
    if (!result.ok) throw result.failure.cause;
    for (const r of result.report.rejected) tally.rejected.push({ ref: batch.refs[r.index] ?? '?', code: r.code, message: r.message });
    tally.created += result.report.created;
    tally.updated += result.report.updated;
    tally.unchanged += result.report.unchanged;
  }

  async search(params: SearchParams): Promise<SearchResult> {
    const now = Date.now();
    const range = resolveTimeRange({ from: params.from, to: params.to }, now);
    const page = await this.embedded.store.search({
      query: parseQuery(params.q),
      ...(range.from !== undefined && { from: range.from }),
      ...(range.to !== undefined && { to: range.to }),
      size: params.size,
      sort: parseSort(params.sort),
      ...(params.cursor !== undefined && { after: JSON.parse(params.cursor) as SearchPosition }),
    });
    return {
      total: page.total,
      totalRelation: page.totalRelation,
      findings: page.findings.map((f) => presentFinding(f, now)),
      nextCursor: page.next ? JSON.stringify(page.next) : null,
    };
  }

  export(params: ExportParams): AsyncIterable<string> {
    const now = Date.now();
    const range = resolveTimeRange({ from: params.from, to: params.to }, now);
    // The folder's owner reads every finding: there is no principal, hence no scope, and no API call to audit.
    return exportFindings(this.embedded.store, {
      query: bindQuery(parseQuery(params.q), { now }),
      ...(range.from !== undefined && { from: range.from }),
      ...(range.to !== undefined && { to: range.to }),
      format: params.format,
    }, now);
  }

  async close(): Promise<void> {
    await this.embedded.close();
  }
}

/** Page cache of an import into a data folder; pages are only used as the store grows. */
const IMPORT_CACHE_MIB = 1024;

/** A server when `url` is given, else the data folder; says which options to use when neither is. */
export async function openTarget(options: TargetOptions, verb: string): Promise<Target> {
  if (options.url) {
    if (!options.apiKey) throw new CliError('--url needs an API key: give --api-key KEY or set YAGURA_API_KEY');
    return new RemoteTarget(options.url, options.apiKey);
  }
  // An import writes into every index at random places: give it a cache that holds them (a server keeps 64 MiB).
  if (options.data) {
    const bulk = verb === 'import' || verb === 'bench' ? { cacheMiB: IMPORT_CACHE_MIB, bulk: true, archiveEachBatch: true } : {};
    return new LocalTarget(await openEmbedded(options.data, `yagura ${verb}`, { ...bulk, archive: archiveSettings() }));
  }
  throw new CliError(
    'no Yagura to talk to: give --url URL and --api-key KEY (or YAGURA_URL, YAGURA_API_KEY) for a running server, or --data DIR (or YAGURA_DATA) for a data folder no server holds',
  );
}
