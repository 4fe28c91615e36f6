// OpenAPI paths of erasures: a persisted job that erases findings everywhere they live (docs/erasure.md).
import { COMMON_ERRORS, errorResponse, jsonBody, jsonResponse, pathParam } from './components.js';

type Json = Record<string, unknown>;

const counts: Json = {
  type: 'object',
  description: 'Rows or items removed per place: findings, versions, freeText, documentValues, remoteParties, changes, archiveActions, outbox, '
    + 'archiveObjects (queued for rewriting), incidents, deliveries, digestItems, archiveObjectsRewritten, archiveObjectsDeleted, archiveLines',
  additionalProperties: { type: 'integer' },
};

const job: Json = {
  type: 'object',
  required: ['id', 'status', 'phase', 'reason', 'requestedBy', 'createdAt', 'findings', 'counts'],
  properties: {
    id: { type: 'string', example: 'er-3f0c1c7e-9a51-4d53-9a3e-0c1f4d1b2a77' },
    status: { type: 'string', enum: ['running', 'done', 'failed'] },
    phase: { type: 'string', enum: ['removing', 'archive', 'done'] },
    target: { type: 'object', description: 'The account, or the time range of a query erasure (the query itself is not kept once the findings are removed)' },
    reason: { type: 'string' },
    requestedBy: { type: 'string', description: 'ARN of the principal who asked' },
    createdAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    findings: { type: 'integer', description: 'Findings selected for erasure' },
    counts,
    receipt: {
      type: 'object',
      properties: {
        keysDigest: { type: 'string', description: 'SHA-256 (hex) of the sorted SHA-256 digests of "accountId\\nregion\\nid" of every erased finding' },
        algorithm: { type: 'string' },
      },
    },
    error: { type: 'string' },
  },
};

export const erasurePaths: Json = {
  '/api/v1/erasures': {
    post: {
      summary: 'Erase findings everywhere they live: store, history, indexes, alerting, archive (an asynchronous job)',
      description: 'Either a KQL query over an optional time range (on updatedAt), within the findings the caller may erase '
        + '(yagura:EraseFindings), or a whole account (the caller must be allowed to erase every finding of it; later findings '
        + 'of the account are refused at ingest as ACCOUNT_ERASED). A reason is required: the receipt keeps it. '
        + 'With a session cookie, the request needs the header X-Yagura-Request: 1 (CSRF).',
      tags: ['erasures'],
      requestBody: jsonBody({
        oneOf: [
          {
            type: 'object',
            required: ['query', 'reason'],
            properties: { query: { type: 'string' }, from: { type: 'string', description: 'ISO-8601, epoch ms or date math' }, to: { type: 'string' }, reason: { type: 'string', maxLength: 1000 } },
            additionalProperties: false,
          },
          { type: 'object', required: ['accountId', 'reason'], properties: { accountId: { type: 'string' }, reason: { type: 'string', maxLength: 1000 } }, additionalProperties: false },
        ],
      }),
      responses: {
        '202': jsonResponse('The job is recorded and running; follow it at the Location given', {
          type: 'object',
          required: ['id', 'status'],
          properties: { id: { type: 'string' }, status: { type: 'string', enum: ['running'] } },
        }),
        ...COMMON_ERRORS,
        '403': errorResponse('ACCESS_DENIED: not allowed to erase any finding, or not every finding of the account'),
      },
    },
  },
  '/api/v1/erasures/{id}': {
    get: {
      summary: 'An erasure job: status, counts per place, and its receipt once done',
      description: 'A caller sees the erasures it asked for; a caller allowed to erase every finding sees all of them.',
      tags: ['erasures'],
      parameters: [pathParam('id', 'Erasure id (er-…)')],
      responses: { '200': jsonResponse('The job', job), ...COMMON_ERRORS, '404': errorResponse('NOT_FOUND') },
    },
  },
};
