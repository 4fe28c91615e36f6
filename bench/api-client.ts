// A minimal HTTP client for Yagura's API: API key header, JSON answers, errors that say which request failed.

/** A non-2xx answer; `retryAfterSeconds` is set when the server asked to come back later (503 OVERLOADED). */
export class ApiStatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async request<T>(method: 'GET' | 'POST' | 'PUT', pathAndQuery: string, body?: { text: string; contentType: string }): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(pathAndQuery, this.baseUrl), {
        method,
        headers: { 'x-api-key': this.apiKey, ...(body && { 'content-type': body.contentType }) },
        ...(body && { body: body.text }),
      });
    } catch (error) {
      // undici says only "fetch failed"; the cause (ECONNRESET, a timeout…) is what explains it.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${method} ${pathAndQuery.slice(0, 80)} failed: ${cause?.code ?? ''} ${cause?.message ?? (error as Error).message}`.trim());
    }
    const text = await response.text();
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new ApiStatusError(
        `${method} ${pathAndQuery.slice(0, 200)} answered ${response.status}: ${text.slice(0, 500)}`,
        response.status,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      );
    }
    return JSON.parse(text) as T;
  }

  get<T>(pathAndQuery: string): Promise<T> {
    return this.request<T>('GET', pathAndQuery);
  }

  postJson<T>(pathAndQuery: string, value: unknown): Promise<T> {
    return this.request<T>('POST', pathAndQuery, { text: JSON.stringify(value), contentType: 'application/json' });
  }

  putJson<T>(pathAndQuery: string, value: unknown): Promise<T> {
    return this.request<T>('PUT', pathAndQuery, { text: JSON.stringify(value), contentType: 'application/json' });
  }

  /** A body already serialised (JSON or NDJSON), so the client's own work stays out of the timing. */
  postText<T>(pathAndQuery: string, text: string, contentType: string): Promise<T> {
    return this.request<T>('POST', pathAndQuery, { text, contentType });
  }
}

/** `GET /api/v1/findings?…` with the parameters URL-encoded. */
export function findingsPath(params: Readonly<Record<string, string>>): string {
  return `/api/v1/findings?${new URLSearchParams(params).toString()}`;
}
