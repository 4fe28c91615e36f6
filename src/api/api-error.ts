// The one place coded errors become HTTP: `{"error":{"code","message"}}` with a fitting status.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface ErrorBody {
  /** `position`: 0-based offset into the query text, for query errors tied to one place in it. */
  readonly error: { readonly code: string; readonly message: string; readonly position?: number };
}

export function errorBody(code: string, message: string, position?: number): ErrorBody {
  return { error: { code, message, ...(position !== undefined && { position }) } };
}

/** Status for each domain error code that can reach the API. */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  INVALID_QUERY: 400,
  INVALID_TIME: 400,
  INVALID_TIME_RANGE: 400,
  INVALID_AGGREGATION: 400,
  INVALID_CURSOR: 400,
  INVALID_PARAMETER: 400,
  QUERY_TIMEOUT: 503,
  // The PostgreSQL store (src/store/postgres/postgres-errors.ts): unreachable now (retry), or a query it cannot answer yet.
  STORE_UNAVAILABLE: 503,
  STORE_UNSUPPORTED_QUERY: 501,
  // Nobody reads this answer (the client closed the connection); nginx's code for it, for the logs.
  CLIENT_CLOSED_REQUEST: 499,
  INVALID_RULE: 400,
  INVALID_DESTINATION: 400,
  PRIVATE_ADDRESS: 400,
  DESTINATION_IN_USE: 409,
  INVALID_POLICY: 400,
  // Principals, managed policies and keys (src/auth/principals/principal-error.ts).
  INVALID_NAME: 400,
  INVALID_PASSWORD: 400,
  INVALID_EXPIRY: 400,
  UNKNOWN_POLICY: 400,
  UNKNOWN_GROUP: 400,
  UNKNOWN_OWNER: 400,
  USER_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  ROLE_NOT_FOUND: 404,
  POLICY_NOT_FOUND: 404,
  KEY_NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  POLICY_IN_USE: 409,
  BUILT_IN: 409,
  ALREADY_REVOKED: 409,
  // The account catalog (src/catalog/catalog-error.ts).
  INVALID_ACCOUNT_ID: 400,
  INVALID_ACCOUNT_NAME: 400,
  INVALID_TAGS: 400,
  UNKNOWN_CATALOG_GROUP: 400,
  CATALOG_GROUP_NOT_FOUND: 404,
  CATALOG_ACCOUNT_NOT_FOUND: 404,
  CATALOG_POLICY_NOT_FOUND: 404,
  CATALOG_GROUP_NOT_EMPTY: 409,
  // Retention (src/retention/retention-error.ts).
  INVALID_RETENTION_POLICY: 400,
  INVALID_LEGAL_HOLD: 400,
  LEGAL_HOLD_NOT_FOUND: 404,
  TOO_MANY_LEGAL_HOLDS: 409,
};

/** Fastify's own error codes, renamed into ours. */
const FASTIFY_CODES: Readonly<Record<string, [number, string, string]>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'BODY_TOO_LARGE', 'the request body is larger than this server accepts'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json or application/x-ndjson'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'EMPTY_BODY', 'the request body is empty'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'INVALID_CONTENT_LENGTH', 'the Content-Length header does not match the body'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'INVALID_JSON', 'the request body is not valid JSON'],
};

/** Maps anything thrown by a route into status and body; unknown errors become a 500 that reveals nothing. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody; headers: Readonly<Record<string, string>>; internal: boolean } {
  if (error instanceof ApiError) return { status: error.status, body: errorBody(error.code, error.message), headers: error.headers, internal: false };
  const e = error as { code?: unknown; message?: unknown; statusCode?: unknown; position?: unknown };
  if (typeof e.code === 'string') {
    const status = STATUS_BY_CODE[e.code];
    const position = typeof e.position === 'number' ? e.position : undefined;
    if (status !== undefined) return { status, body: errorBody(e.code, String(e.message), position), headers: {}, internal: false };
    const fastify = FASTIFY_CODES[e.code];
    if (fastify) return { status: fastify[0], body: errorBody(fastify[1], fastify[2]), headers: {}, internal: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: errorBody('BAD_REQUEST', String(e.message)), headers: {}, internal: false };
  }
  return { status: 500, body: errorBody('INTERNAL', 'the server failed to handle this request; the error was logged'), headers: {}, internal: true };
}
