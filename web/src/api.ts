// The dashboard's only way to the server: the public HTTP API, authenticated by the session cookie.

/** A coded API error, with the query position when the server names one. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

/** Called when the session is gone, so the app can show the login form. */
let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * Counts logins: a request sent before the latest login that comes back 401 (the views start loading before
 * the session is known; on a busy server they answer after the login) must not show the login form again.
 */
let sessionEpoch = 0;
export function sessionStarted(): void {
  sessionEpoch++;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const epoch = sessionEpoch;
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    // The custom header is the CSRF proof the server requires of cookie-authenticated changes.
    headers: { 'x-yagura-request': '1', ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    ...(init.signal && { signal: init.signal }),
  });
  if (res.status === 204) return undefined as T;
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; position?: number } };
  if (!res.ok) {
    const e = body.error ?? {};
    if (res.status === 401 && path !== '/api/v1/sessions' && epoch === sessionEpoch) onUnauthenticated();
    throw new ApiFailure(res.status, e.code ?? 'HTTP_ERROR', e.message ?? `the server answered ${res.status}`, e.position);
  }
  return body as T;
}

export interface Presented {
  readonly finding: Record<string, unknown> & { type?: string; severity?: number; title?: string; updatedAt?: string; createdAt?: string };
  readonly yagura: {
    readonly accountId: string;
    readonly region: string;
    readonly id: string;
    readonly band: string;
    readonly firstSeen: string;
    readonly lastSeen: string;
    readonly versions: number;
    readonly archived: boolean;
    readonly timeOpenSeconds: number;
  };
}

export interface SearchAnswer {
  readonly total: number;
  readonly totalRelation: 'eq' | 'gte';
  readonly findings: Presented[];
  readonly nextCursor: string | null;
}

export interface Bucket {
  readonly key: string | number;
  readonly doc_count: number;
  readonly [sub: string]: unknown;
}

export interface Terms {
  readonly buckets: Bucket[];
  readonly sum_other_doc_count?: number;
}

export interface AggregateAnswer {
  readonly total: number;
  readonly aggregations: Record<string, Terms>;
}

export interface VersionEntry {
  readonly updatedAt: string;
  readonly count: number;
  readonly receivedAt: string;
  readonly hash: string;
  readonly finding: Record<string, unknown>;
}

export type FindingDetail = Presented & { readonly history: VersionEntry[] };

export function findingPath(y: Presented['yagura']): string {
  return [y.accountId, y.region, y.id].map(encodeURIComponent).join('/');
}
