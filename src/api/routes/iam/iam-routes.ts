// The administration API of principals: users, groups, roles, managed policies and API keys.
import type { FastifyInstance } from 'fastify';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { SigningKeys } from '../../../auth/principals/signing-keys.js';
import { groupRoutes } from './groups.js';
import { keyRoutes } from './keys.js';
import { policyRoutes } from './policies.js';
import { roleRoutes } from './roles.js';
import { userRoutes } from './users.js';

export async function iamRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number; signing?: SigningKeys | undefined }): Promise<void> {
  await app.register(policyRoutes, options);
  await app.register(roleRoutes, options);
  await app.register(groupRoutes, options);
  await app.register(userRoutes, options);
  await app.register(keyRoutes, options);
}
