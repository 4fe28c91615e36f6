// /api/v1/groups: groups hold users (named on the user) and pass their policies to them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { iamArn } from '../../../auth/principals/names.js';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { GroupRecord } from '../../../auth/principals/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { iamName, nameList, nextCursor, pageOf, pathName } from './iam-params.js';

const createBody = z.object({ name: iamName, policies: nameList }).strict();
const putBody = z.object({ policies: nameList }).strict();

function present(g: GroupRecord): Record<string, unknown> {
  return { name: g.name, arn: iamArn('group', g.name), policies: g.policies, members: g.members, createdAt: new Date(g.createdAt).toISOString() };
}

export async function groupRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number }): Promise<void> {
  const { store, now } = options;
  app.post('/api/v1/groups', async (request, reply) => {
    const body = parseParams(createBody, request.body ?? {});
    const group = await store.createGroup(body, now());
    reply.code(201);
    return { name: group.name, arn: iamArn('group', group.name) };
  });
  app.get('/api/v1/groups', async (request) => {
    const page = await store.listGroups(pageOf(request.query));
    return { groups: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.get('/api/v1/groups/:name', async (request) => {
    const name = pathName(request.params);
    const found = await store.getGroup(name);
    if (found === undefined) throw new ApiError(404, 'GROUP_NOT_FOUND', `there is no group named "${name}"`);
    return present(found);
  });
  app.put('/api/v1/groups/:name', async (request) => {
    const name = pathName(request.params);
    const body = parseParams(putBody, request.body ?? {});
    return present(await store.updateGroup({ name, ...body }, now()));
  });
  app.delete('/api/v1/groups/:name', async (request, reply) => {
    await store.deleteGroup(pathName(request.params));
    reply.code(204);
  });
}
