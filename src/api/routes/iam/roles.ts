// /api/v1/roles: roles own API keys; the built-in Administrator cannot be changed or deleted.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { validatePolicy } from '../../../auth/policy/validate.js';
import { iamArn } from '../../../auth/principals/names.js';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { RoleRecord } from '../../../auth/principals/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { iamName, nameList, nextCursor, pageOf, pathName, tags } from './iam-params.js';

const fields = { policies: nameList, description: z.string().max(1000).default(''), tags, trustPolicy: z.unknown().optional() };

/** The trust policy as given, once the engine accepts it as a resource policy; 400 INVALID_POLICY naming the element. */
function checkedTrustPolicy(document: unknown): unknown {
  if (document === undefined || document === null) return null;
  const result = validatePolicy(document, 'resource');
  if (!result.ok) throw new ApiError(400, 'INVALID_POLICY', `trustPolicy: ${result.problems[0] ?? 'the policy is not valid'}`);
  return document;
}
const createBody = z.object({ name: iamName, ...fields }).strict();
const putBody = z.object(fields).strict();

function present(r: RoleRecord): Record<string, unknown> {
  return { name: r.name, arn: iamArn('role', r.name), description: r.description, tags: r.tags, policies: r.policies, trustPolicy: r.trustPolicy, builtIn: r.builtIn, createdAt: new Date(r.createdAt).toISOString() };
}

export async function roleRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number }): Promise<void> {
  const { store, now } = options;
  app.post('/api/v1/roles', async (request, reply) => {
    const body = parseParams(createBody, request.body ?? {});
    const role = await store.createRole({ ...body, trustPolicy: checkedTrustPolicy(body.trustPolicy) }, now());
    reply.code(201);
    return { name: role.name, arn: iamArn('role', role.name) };
  });
  app.get('/api/v1/roles', async (request) => {
    const page = await store.listRoles(pageOf(request.query));
    return { roles: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.get('/api/v1/roles/:name', async (request) => {
    const name = pathName(request.params);
    const found = await store.getRole(name);
    if (found === undefined) throw new ApiError(404, 'ROLE_NOT_FOUND', `there is no role named "${name}"`);
    return present(found);
  });
  app.put('/api/v1/roles/:name', async (request) => {
    const name = pathName(request.params);
    const body = parseParams(putBody, request.body ?? {});
    return present(await store.updateRole({ name, ...body, trustPolicy: checkedTrustPolicy(body.trustPolicy) }, now()));
  });
  app.delete('/api/v1/roles/:name', async (request, reply) => {
    await store.deleteRole(pathName(request.params), now());
    reply.code(204);
  });
}
