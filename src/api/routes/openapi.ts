// GET /api/v1/openapi.json: the API's OpenAPI document (authenticated like every route but /health).
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../openapi/document.js';

export async function openApiRoutes(app: FastifyInstance): Promise<void> {
  // Built once: it depends on nothing that changes while the server runs.
  const document = JSON.stringify(openApiDocument('0.1.0'));
  app.get('/api/v1/openapi.json', async (_request, reply) => {
    reply.header('content-type', 'application/json; charset=utf-8');
    return document;
  });
}
