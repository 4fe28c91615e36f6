// OpenAPI paths of the audit log.
import { COMMON_ERRORS, errorResponse, jsonResponse, queryParam } from './components.js';

type Json = Record<string, unknown>;

const nullable = (type: string): Json => ({ type: [type, 'null'] });

const entry: Json = {
  type: 'object',
  required: ['time', 'requestId', 'principal', 'keyPrefix', 'sessionId', 'sourceIp', 'method', 'route', 'action', 'resource', 'decision', 'status', 'errorCode', 'resultSize', 'items'],
  properties: {
    time: { type: 'string', format: 'date-time' },
    requestId: { type: 'string' },
    principal: { ...nullable('string'), description: 'ARN of the caller; null when the call was not authenticated' },
    keyPrefix: { ...nullable('string'), description: 'The visible yk_ prefix of the key (a legacy key\'s id); never a secret' },
    sessionId: { ...nullable('string'), description: 'Hash id of the dashboard session; never its token' },
    sourceIp: { type: 'string' },
    method: { type: 'string' },
    route: { type: 'string', description: 'The route pattern, e.g. /api/v1/findings/:accountId/:region/:id' },
    action: { ...nullable('string'), examples: ['yagura:SearchFindings'] },
    resource: { ...nullable('string'), description: 'The resource ARN, or for finding reads the scope applied (* for every finding)' },
    decision: { enum: ['allowed', 'denied', 'unauthenticated', 'error'] },
    status: { type: 'integer' },
    errorCode: nullable('string'),
    resultSize: { ...nullable('integer'), description: 'Response bytes; null for streams' },
    items: { ...nullable('integer'), description: 'Items in a list answer' },
  },
};

export const auditPaths: Json = {
  '/api/v1/audit': {
    get: {
      summary: 'Search the audit log of API calls, newest first',
      description: 'KQL over the audit fields (time, principal, keyPrefix, sessionId, sourceIp, method, route, action, resource, decision, status, errorCode, resultSize, items, requestId); bare words search principal, action, resource, route and errorCode. Needs yagura:SearchAuditLog.',
      tags: ['audit'],
      parameters: [
        queryParam('q', 'KQL over the audit fields; empty matches everything'),
        queryParam('from', 'Start of the time range (inclusive): ISO-8601, epoch ms or relative (now-24h)'),
        queryParam('to', 'End of the time range'),
        queryParam('size', 'Page size', { type: 'integer', minimum: 1 }),
        queryParam('cursor', 'nextCursor of the previous page (only for the same q, from and to)'),
      ],
      responses: {
        '200': jsonResponse('A page of entries', { type: 'object', required: ['entries', 'nextCursor'], properties: { entries: { type: 'array', items: entry }, nextCursor: nullable('string') } }),
        ...COMMON_ERRORS,
        '400': errorResponse('INVALID_QUERY (an unknown field is named), INVALID_TIME, INVALID_TIME_RANGE, INVALID_CURSOR, INVALID_PARAMETER'),
      },
    },
  },
};
