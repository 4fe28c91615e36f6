// /api/v1/users: local users with optional passwords (scrypt), groups, attached policies and tags.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { iamArn } from '../../../auth/principals/names.js';
import { hashPassword } from '../../../auth/principals/passwords.js';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { UserRecord } from '../../../auth/principals/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { iamName, nameList, nextCursor, pageOf, pathName, tags } from './iam-params.js';

const fields = { groups: nameList, policies: nameList, tags, password: z.string().max(1024).nullable().optional() };
const createBody = z.object({ name: iamName, ...fields }).strict();
const putBody = z.object(fields).strict();

function present(u: UserRecord): Record<string, unknown> {
  return { name: u.name, arn: iamArn('user', u.name), groups: u.groups, policies: u.policies, tags: u.tags, hasPassword: u.hasPassword, createdAt: new Date(u.createdAt).toISOString() };
}

/** A hash for a new password, null to remove it, undefined to keep it. The password itself goes no further. */
async function passwordHashOf(password: string | null | undefined): Promise<string | null | undefined> {
  return typeof password === 'string' ? hashPassword(password) : password;
}

export async function userRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number }): Promise<void> {
  const { store, now } = options;
  app.post('/api/v1/users', async (request, reply) => {
    const { password, ...body } = parseParams(createBody, request.body ?? {});
    const passwordHash = await passwordHashOf(password);
    const user = await store.createUser({ ...body, ...(passwordHash !== undefined && { passwordHash }) }, now());
    reply.code(201);
    return { name: user.name, arn: iamArn('user', user.name) };
  });
  app.get('/api/v1/users', async (request) => {
    const page = await store.listUsers(pageOf(request.query));
    return { users: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.get('/api/v1/users/:name', async (request) => {
    const name = pathName(request.params);
    const found = await store.getUser(name);
    if (found === undefined) throw new ApiError(404, 'USER_NOT_FOUND', `there is no user named "${name}"`);
    return present(found);
  });
  app.put('/api/v1/users/:name', async (request) => {
    const name = pathName(request.params);
    const { password, ...body } = parseParams(putBody, request.body ?? {});
    const passwordHash = await passwordHashOf(password);
    return present(await store.updateUser({ name, ...body, ...(passwordHash !== undefined && { passwordHash }) }, now()));
  });
  app.delete('/api/v1/users/:name', async (request, reply) => {
    await store.deleteUser(pathName(request.params), now());
    reply.code(204);
  });
}
