// Records every /api call that reached authentication in the audit log, once, whichever way it ended: answered,
// refused, failed, streamed (hijacked replies skip Fastify's hooks) or abandoned by the client.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditDecision, AuditEntry } from '../audit/audit-entry.js';
import type { AuditLog } from '../audit/audit-log.js';
import { scopeText } from '../audit/scope-text.js';
import { presentedKey } from './authenticate.js';
import { resourceArn } from './authorize.js';
import { permissionOf } from './route-permissions.js';
import { routePath } from './route-path.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Items in a list answer, set by routes that return one; recorded in the audit log. */
    auditItems: number | null;
    /** Bytes of a streamed answer (which has no content-length), counted as they are written. */
    auditBytes: number | null;
  }
  interface FastifyRequest {
    /** What a route that decides by itself (STS, sign-in) did, for its audit entry; never a secret. */
    auditDetail?: AuditDetail;
  }
}

export interface AuditDetail {
  readonly action?: string;
  readonly resource?: string;
  readonly reason?: string;
  /** The principal the call was about when none authenticated it (a refused sign-in's role session). */
  readonly principal?: string;
}

/** Audited besides /api: the STS endpoint (`POST /sts`, and `POST /` as STS serves it). */
export function isStsRequest(request: FastifyRequest): boolean {
  const path = routePath(request);
  return request.method === 'POST' && (path === '/sts' || path === '/sts/' || path === '/');
}

/** Longest resource text kept (route parameters are the caller's text). */
const MAX_RESOURCE = 1000;
/** At most one warning about dropped entries this often. */
const DROP_WARNING_INTERVAL_MS = 10_000;
const ERROR_CODE = /^\{"error":\{"code":"([A-Z][A-Z0-9_]{0,63})"/;
/** STS answers errors in XML: `<Error><Type>Sender</Type><Code>AccessDenied</Code>…`. */
const STS_ERROR_CODE = /<Code>([A-Za-z][A-Za-z0-9]{0,63})<\/Code>/;
/** `yk_` + the 8 visible characters, followed by the secret's separator. */
const YK_KEY = /^(yk_[A-Za-z0-9_-]{8})_./;

interface Pending {
  errorCode: string | null;
  done: boolean;
}

function decisionOf(status: number): AuditDecision {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'denied';
  if (status >= 500 || status === 499) return 'error';
  return 'allowed';
}

/** The visible part of the key: the principal's, or for a refused `yk_` key the prefix it presents. Never a secret. */
function keyPrefixOf(request: FastifyRequest): string | null {
  const principal = request.principal;
  if (principal !== undefined) {
    if (principal.keyPrefix?.startsWith('yk_')) return principal.keyPrefix;
    return principal.keyId ?? null;
  }
  const key = presentedKey(request);
  return key === undefined ? null : (YK_KEY.exec(key)?.[1] ?? null);
}

function resourceOf(request: FastifyRequest, method: string, route: string | undefined): { action: string | null; resource: string | null } {
  const detail = request.auditDetail;
  if (detail?.action !== undefined) return { action: detail.action, resource: detail.resource?.slice(0, MAX_RESOURCE) ?? null };
  const permission = route === undefined ? undefined : permissionOf(method === 'HEAD' ? 'GET' : method, route);
  if (permission?.kind !== 'action') return { action: null, resource: null };
  const action = permission.action;
  let resource: string | null;
  if (action.resource === 'finding') resource = request.findingScope === undefined ? null : scopeText(request.findingScope);
  else resource = resourceArn(action.resource, request.params);
  return { action: action.name, resource: resource === null ? null : resource.slice(0, MAX_RESOURCE) };
}

function bytesOf(reply: FastifyReply): number | null {
  if (reply.auditBytes !== null) return reply.auditBytes;
  const length = Number(reply.getHeader('content-length'));
  return Number.isInteger(length) && length >= 0 ? length : null;
}

export interface AuditHookOptions {
  readonly audit: AuditLog;
  readonly now: () => number;
}

/**
 * Registered before authentication, so that a call refused earlier (rate limits, load shedding) is not recorded:
 * those refusals protect the server and must not be able to flood the log.
 */
export function registerAuditLog(app: FastifyInstance, options: AuditHookOptions): void {
  const pending = new WeakMap<FastifyRequest, Pending>();
  let dropped = 0;
  let lastWarning = -Infinity;
  app.decorateReply('auditItems', null);
  app.decorateReply('auditBytes', null);

  const record = (request: FastifyRequest, reply: FastifyReply, ended: 'answered' | 'closed'): void => {
    const state = pending.get(request);
    if (state === undefined || state.done) return;
    state.done = true;
    try {
      const route = request.routeOptions.url;
      // A reply closed before it finished was abandoned by the client, unless the route took over the socket (a stream).
      const abandoned = ended === 'closed' && !reply.raw.writableFinished && !reply.sent;
      const status = abandoned ? 499 : reply.raw.statusCode;
      const entry: AuditEntry = {
        time: options.now(),
        requestId: request.id,
        principal: request.principal?.arn ?? request.auditDetail?.principal ?? null,
        keyPrefix: keyPrefixOf(request),
        sessionId: request.principal?.sessionId ?? null,
        sourceIp: request.ip,
        method: request.method,
        route: route ?? '(no route)',
        ...resourceOf(request, request.method, route),
        // A sign-in refused for any reason (an empty password is a 400) is a refusal, not an allowed call.
        decision: status >= 400 && status < 500 && request.auditDetail?.action?.startsWith('sts:') ? 'denied' : decisionOf(status),
        status,
        errorCode: abandoned ? 'CLIENT_CLOSED_REQUEST' : state.errorCode,
        resultSize: ended === 'answered' || reply.auditBytes !== null ? bytesOf(reply) : null,
        items: reply.auditItems,
        reason: request.auditDetail?.reason?.slice(0, MAX_RESOURCE) ?? null,
      };
      if (options.audit.record(entry)) return;
      dropped++;
      const t = options.now();
      if (t - lastWarning >= DROP_WARNING_INTERVAL_MS) {
        lastWarning = t;
        request.log.warn({ dropped }, 'the audit log queue is full; entries are being dropped');
      }
    } catch (error) {
      request.log.error({ err: error }, 'could not record the audit entry');
    }
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!routePath(request).startsWith('/api/') && !isStsRequest(request)) return;
    pending.set(request, { errorCode: null, done: false });
    reply.raw.once('close', () => record(request, reply, 'closed'));
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const state = pending.get(request);
    if (state !== undefined && reply.statusCode >= 400 && typeof payload === 'string') state.errorCode = ERROR_CODE.exec(payload)?.[1] ?? STS_ERROR_CODE.exec(payload)?.[1] ?? null;
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    record(request, reply, 'answered');
  });
}
