// What a hostile-input case is: a named payload for one target and the outcome the product must give it.
import { findingDoc } from '../fixtures/findings.js';
import type { Seed } from './seed.js';

/** The surface a case attacks. `finding` is `GET /api/v1/findings/{accountId}/{region}/{id}`. */
export type HttpTarget = 'ingest' | 'query' | 'finding' | 'aggregate';

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query string exactly as sent (already percent-encoded). */
  readonly url: string;
  /** `null` sends no Content-Type at all; default `application/json` for POST. */
  readonly contentType?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly payload?: string | Buffer;
}

/** What the runner hands to a builder: things only known once the seeded server runs. */
export interface HttpContext {
  /** A genuine `nextCursor` of `GET /api/v1/findings?size=1` (no query, no range, default sort). */
  readonly cursor: string;
  readonly seeds: readonly Seed[];
}

/**
 * The outcome a case must get. Every 4xx carries `{"error":{"code","message"}}` with `code`; item-level
 * problems of `POST /api/v1/events` are listed in `rejected` (codes in order), and no case is ever accepted.
 */
export interface HttpExpectation {
  readonly status: number;
  /** `error.code` of the body; required for every status >= 400. */
  readonly code?: string;
  /** `rejected[].code` of an events answer, in order. */
  readonly rejected?: readonly string[];
  /** `ignored` of an events answer (default 0). */
  readonly ignored?: number;
  /** `duplicates` of an events answer (default 0): redelivered seeds, which store nothing new. */
  readonly duplicates?: number;
  /** `total` of a 200 search or aggregation; `all` is every finding stored when the case runs. */
  readonly total?: number | 'all';
}

export interface HttpCase {
  readonly name: string;
  readonly target: HttpTarget;
  /** Builds the request; big payloads are made here at run time, never committed. */
  readonly request: (ctx: HttpContext) => HttpRequest;
  readonly expect: HttpExpectation;
  /** Set when the product does not meet `expect` yet: why, for node:test's `todo`. */
  readonly todo?: string;
}

export type ImportEntry =
  | { readonly path: string; readonly data: string | Buffer }
  | { readonly path: string; readonly symlinkTo: string };

/** What `importPaths` must report for a case's folder, apart from the trailing known-good file the runner adds. */
export type ImportExpectation =
  | {
      /** `[file:line or file, code]`, paths relative to the case folder, in report order. */
      readonly rejected: ReadonlyArray<readonly [ref: string, code: string]>;
      readonly ignored?: number;
      /** Known findings in the case's own files, counted as unchanged (default 0). */
      readonly redelivered?: number;
    }
  /** The whole import stops before reading anything: for unusable path arguments. */
  | { readonly throws: RegExp };

export interface ImportCase {
  readonly name: string;
  readonly target: 'import';
  /** Files to create in the case folder. */
  readonly files: (seeds: readonly Seed[]) => readonly ImportEntry[];
  /** Paths handed to `importPaths`, relative to the case folder; default the folder itself. */
  readonly args?: readonly string[];
  readonly expect: ImportExpectation;
  readonly todo?: string;
}

export type HostileCase = HttpCase | ImportCase;

// ---- request builders ------------------------------------------------------------------------------

export function events(payload: string | Buffer, contentType: string | null = 'application/json'): HttpRequest {
  return { method: 'POST', url: '/api/v1/events', contentType, payload };
}

export function ndjson(lines: readonly string[]): HttpRequest {
  return events(`${lines.join('\n')}\n`, 'application/x-ndjson');
}

/** `GET /api/v1/findings` with the parameters percent-encoded as a browser would. */
export function search(params: Readonly<Record<string, string>>): HttpRequest {
  const query = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return { method: 'GET', url: `/api/v1/findings?${query}` };
}

/** `GET /api/v1/findings?…` with a query string sent byte for byte. */
export function searchRaw(rawQuery: string): HttpRequest {
  return { method: 'GET', url: `/api/v1/findings?${rawQuery}` };
}

/** `GET /api/v1/findings/<rawPath>` with the path sent as written (encode it yourself). */
export function findingAt(rawPath: string): HttpRequest {
  return { method: 'GET', url: `/api/v1/findings/${rawPath}` };
}

export function aggregate(body: unknown, contentType: string | null = 'application/json'): HttpRequest {
  return { method: 'POST', url: '/api/v1/aggregate', contentType, payload: typeof body === 'string' ? body : JSON.stringify(body) };
}

// ---- expectation builders --------------------------------------------------------------------------

export function error(status: number, code: string): HttpExpectation {
  return { status, code };
}

/** Every item rejected: 400, the first rejection's code as `error.code`, all codes in `rejected`. */
export function allRejected(...codes: string[]): HttpExpectation {
  return { status: 400, code: codes[0]!, rejected: codes };
}

/** A 200 that stores nothing new: only ignored items, redelivered seeds, and the rejections listed. */
export function partly(outcome: { rejected?: readonly string[]; ignored?: number; duplicates?: number }): HttpExpectation {
  return { status: 200, rejected: outcome.rejected ?? [], ignored: outcome.ignored ?? 0, duplicates: outcome.duplicates ?? 0 };
}

export function found(total: number | 'all'): HttpExpectation {
  return { status: 200, total };
}

// ---- payload builders ------------------------------------------------------------------------------

/** A finding that would be accepted but for `overrides`; its id (`hostile-…`) is never seeded. */
export function hostileFinding(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...findingDoc({ id: `hostile-${id}` }), ...overrides };
}

/** `open` repeated `depth` times around `inner`, then closed: nesting without recursion. */
export function nested(depth: number, inner: string, open = '{"a":', close = '}'): string {
  return `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
}

/** The JSON of `doc` with the string value `"@@marker"` replaced by raw JSON text (numbers JSON.stringify cannot write). */
export function withRaw(doc: unknown, marker: string, raw: string): string {
  const json = JSON.stringify(doc);
  const quoted = JSON.stringify(marker);
  if (!json.includes(quoted)) throw new Error(`marker ${marker} is not in the document`);
  return json.replace(quoted, raw);
}

/** The JSON of `doc` cut just before the first occurrence of `at` plus `offset` characters. */
export function truncatedAt(json: string, at: string, offset = 0): string {
  const i = json.indexOf(at);
  if (i < 0) throw new Error(`"${at}" is not in the JSON`);
  return json.slice(0, i + offset);
}

/** A JSON body with `bytes` spliced in place of the string value `"@@marker"`'s contents. */
export function withBytes(doc: unknown, marker: string, bytes: readonly number[]): Buffer {
  const json = JSON.stringify(doc);
  const [before, after] = json.split(marker);
  if (after === undefined) throw new Error(`marker ${marker} is not in the document`);
  return Buffer.concat([Buffer.from(before!, 'utf8'), Buffer.from(bytes), Buffer.from(after, 'utf8')]);
}
