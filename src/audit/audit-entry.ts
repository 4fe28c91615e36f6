// What the audit log records about one API call: who, from where, what, on which resource, and how it ended.

/** How a call ended, as far as access control is concerned. */
export type AuditDecision = 'allowed' | 'denied' | 'unauthenticated' | 'error';

export const AUDIT_DECISIONS: readonly AuditDecision[] = ['allowed', 'denied', 'unauthenticated', 'error'];

/**
 * One recorded call. Holds no secret: a key appears only as its visible prefix and a session only as a hash id;
 * bodies, query strings and headers are never recorded.
 */
export interface AuditEntry {
  /** When the response was sent, epoch ms. */
  readonly time: number;
  readonly requestId: string;
  /** The caller's ARN, or null when the call was not authenticated. */
  readonly principal: string | null;
  /** The key's visible `yk_xxxxxxxx` prefix (a legacy `ygr_` key's id). */
  readonly keyPrefix: string | null;
  /** The session's hash id (never its token) when the call came with the dashboard's cookie. */
  readonly sessionId: string | null;
  readonly sourceIp: string;
  readonly method: string;
  /** The route's pattern (`/api/v1/findings/:accountId/:region/:id`), never the URL with its query string. */
  readonly route: string;
  /** The `yagura:VerbNoun` the route needs, or null for routes any caller (or none) may use. */
  readonly action: string | null;
  /** The resource ARN decided on, or for finding reads a short text of the scope applied (`*` for all). */
  readonly resource: string | null;
  readonly decision: AuditDecision;
  /** HTTP status of the answer. */
  readonly status: number;
  /** The API error code of the answer, if it was an error. */
  readonly errorCode: string | null;
  /** Bytes of the response body, when known (streams are not counted). */
  readonly resultSize: number | null;
  /** Items in the answer, for routes that return a list. */
  readonly items: number | null;
  /** Why a sign-in, an issuance or a signature was refused or a session revoked (never a secret). */
  readonly reason?: string | null;
}

/** An entry as the log holds it: `seq` orders entries recorded in the same millisecond. */
export interface StoredAuditEntry extends AuditEntry {
  readonly seq: number;
}
