// OpenAPI paths of health, ingest, search, aggregation, the live stream and operations.
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam, queryParam } from './components.js';

type Json = Record<string, unknown>;

const range = [
  queryParam('from', 'Start of the updatedAt range: ISO-8601, epoch ms or relative (now-24h)'),
  queryParam('to', 'End of the updatedAt range'),
];

export const findingPaths: Json = {
  '/health': {
    get: {
      summary: 'Liveness, and the archive falling behind (degraded, still 200: the node accepts data safely)',
      security: [],
      tags: ['operations'],
      responses: {
        '200': jsonResponse('Alive', {
          type: 'object',
          required: ['status'],
          properties: {
            status: { enum: ['ok', 'degraded'] },
            checks: {
              type: 'object',
              properties: {
                archive: {
                  type: 'object',
                  properties: {
                    status: { const: 'lagging' },
                    lagSeconds: { type: 'number' },
                    limitSeconds: { type: 'number' },
                    message: { type: 'string' },
                  },
                },
              },
            },
          },
        }),
      },
    },
  },
  '/api/v1/events': {
    post: {
      summary: 'Ingest GuardDuty findings (EventBridge events, bare findings, GetFindings pages; JSON or NDJSON)',
      tags: ['ingest'],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: {} }, 'application/x-ndjson': { schema: { type: 'string' } } },
      },
      responses: {
        '200': jsonResponse('Every accepted version is durable in the store and guaranteed to reach the archive', {
          type: 'object',
          properties: {
            accepted: { type: 'integer' },
            duplicates: { type: 'integer' },
            created: { type: 'integer' },
            updated: { type: 'integer' },
            ignored: { type: 'integer' },
            rejected: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, code: { type: 'string' }, message: { type: 'string' } } } },
          },
        }),
        ...COMMON_ERRORS,
        '413': errorResponse('BODY_TOO_LARGE or TOO_MANY_ITEMS'),
        '415': errorResponse('UNSUPPORTED_MEDIA_TYPE'),
      },
    },
  },
  '/api/v1/findings': {
    get: {
      summary: 'Search findings with KQL',
      tags: ['findings'],
      parameters: [
        queryParam('q', 'KQL; empty matches everything'),
        ...range,
        queryParam('size', 'Page size', { type: 'integer', minimum: 1 }),
        queryParam('sort', 'field, field:asc, field:desc or -field'),
        queryParam('cursor', 'nextCursor of the previous page'),
      ],
      responses: {
        '200': jsonResponse('A page of findings', {
          type: 'object',
          properties: {
            total: { type: 'integer' },
            totalRelation: { type: 'string', enum: ['eq', 'gte'] },
            findings: { type: 'array', items: { $ref: '#/components/schemas/PresentedFinding' } },
            nextCursor: { type: ['string', 'null'] },
          },
        }),
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/findings/{accountId}/{region}/{id}': {
    get: {
      summary: 'One finding with its stored history',
      tags: ['findings'],
      parameters: [pathParam('accountId', 'AWS account ID'), pathParam('region', 'AWS region'), pathParam('id', 'GuardDuty finding ID')],
      responses: {
        '200': jsonResponse('The finding', { allOf: [{ $ref: '#/components/schemas/PresentedFinding' }, { type: 'object', properties: { history: { type: 'array', items: { type: 'object' } } } }] }),
        '404': errorResponse('FINDING_NOT_FOUND'),
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/aggregate': {
    post: {
      summary: 'Elasticsearch-shaped aggregations (terms, date_histogram, stats, range)',
      tags: ['findings'],
      requestBody: jsonBody({
        type: 'object',
        required: ['aggs'],
        properties: { q: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, aggs: { type: 'object', additionalProperties: { type: 'object' } } },
      }),
      responses: { '200': jsonResponse('Aggregation results', { type: 'object', properties: { total: { type: 'integer' }, aggregations: { type: 'object' } } }), ...COMMON_ERRORS },
    },
  },
  '/api/v1/findings/export': {
    get: {
      summary: 'Every finding a KQL query selects within the caller\'s scope, streamed as NDJSON or CSV (oldest updatedAt first)',
      tags: ['findings'],
      parameters: [
        queryParam('q', 'KQL; empty exports every finding in range'),
        ...range,
        queryParam('format', 'ndjson: one presented finding per line; csv: the columns docs/api.md lists, formula-safe', { enum: ['ndjson', 'csv'], default: 'ndjson' }),
      ],
      responses: {
        '200': {
          description: 'The findings, streamed; a transfer cut short (no final chunk) is an export that failed part way',
          content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
        },
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/stream': {
    get: {
      summary: 'Server-Sent Events of new and updated findings that match a KQL query',
      tags: ['findings'],
      parameters: [queryParam('q', 'KQL')],
      responses: {
        '200': { description: 'An event stream; each event is `finding` with the presented finding and its outcome', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...COMMON_ERRORS,
      },
    },
  },
  '/api/v1/sources': {
    get: {
      summary: "The sources: each one's state, counts, recent coded errors and what it last saw per account and region",
      tags: ['operations'],
      parameters: [
        { name: 'kind', in: 'query', schema: { type: 'string', enum: ['eventbridge-http', 's3-export'] } },
        { name: 'state', in: 'query', schema: { type: 'string', enum: ['starting', 'running', 'degraded', 'failing', 'stopped'] } },
      ],
      responses: { '200': jsonResponse('The sources', { type: 'object', properties: { sources: { type: 'array', items: { type: 'object' } } } }), '400': errorResponse('INVALID_PARAMETER'), ...COMMON_ERRORS },
    },
  },
  '/api/v1/rate-limits/blocks': {
    get: {
      summary: 'Sources currently over a rate-based rule',
      tags: ['operations'],
      responses: { '200': jsonResponse('Current blocks', { type: 'object', properties: { blocks: { type: 'array', items: { type: 'object' } } } }), ...COMMON_ERRORS },
    },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics (open to loopback scrapers; others need a key)',
      tags: ['operations'],
      responses: { '200': { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': errorResponse('UNAUTHENTICATED') },
    },
  },
  '/api/v1/openapi.json': {
    get: { summary: 'This document', tags: ['operations'], responses: { '200': jsonResponse('OpenAPI 3.1 document'), '401': errorResponse('UNAUTHENTICATED') } },
  },
};
