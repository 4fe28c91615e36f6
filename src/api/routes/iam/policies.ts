// /api/v1/policies: managed IAM policies, validated by the policy engine before anything is saved.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { validatePolicy } from '../../../auth/policy/validate.js';
import { iamArn } from '../../../auth/principals/names.js';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { ManagedPolicy } from '../../../auth/principals/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { iamName, nextCursor, pageOf, pathName } from './iam-params.js';

const createBody = z.object({ name: iamName, document: z.unknown().optional() }).strict();
const putBody = z.object({ document: z.unknown().optional() }).strict();

/** The document as given, once the engine accepts it as an identity policy; 400 INVALID_POLICY naming the element. */
function checked(document: unknown): unknown {
  if (document === undefined) throw new ApiError(400, 'INVALID_POLICY', '"document" is required: an IAM policy document');
  const result = validatePolicy(document, 'identity');
  if (!result.ok) throw new ApiError(400, 'INVALID_POLICY', result.problems[0] ?? 'the policy is not valid');
  return document;
}

function present(p: ManagedPolicy): Record<string, unknown> {
  return { name: p.name, arn: iamArn('policy', p.name), document: p.document, builtIn: p.builtIn, createdAt: new Date(p.createdAt).toISOString(), updatedAt: new Date(p.updatedAt).toISOString() };
}

export async function policyRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number }): Promise<void> {
  const { store, now } = options;
  app.post('/api/v1/policies', async (request, reply) => {
    const body = parseParams(createBody, request.body ?? {});
    const saved = await store.createPolicy(body.name, checked(body.document), now());
    reply.code(201);
    return { name: saved.name, arn: iamArn('policy', saved.name) };
  });
  app.get('/api/v1/policies', async (request) => {
    const page = await store.listPolicies(pageOf(request.query));
    return { policies: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.get('/api/v1/policies/:name', async (request) => {
    const name = pathName(request.params);
    const found = await store.getPolicy(name);
    if (found === undefined) throw new ApiError(404, 'POLICY_NOT_FOUND', `there is no policy named "${name}"`);
    return present(found);
  });
  app.put('/api/v1/policies/:name', async (request) => {
    const name = pathName(request.params);
    const body = parseParams(putBody, request.body ?? {});
    return present(await store.putPolicy(name, checked(body.document), now()));
  });
  app.delete('/api/v1/policies/:name', async (request, reply) => {
    await store.deletePolicy(pathName(request.params));
    reply.code(204);
  });
}
