// /api/v1/federation/ldap/role-map: which directory users and groups may assume which roles.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RoleMapError, type DirectoryRoleMap } from '../../auth/federation/role-map.js';
import { ApiError } from '../api-error.js';
import { parseParams } from '../validate.js';

const putBody = z.object({ map: z.record(z.string().min(1).max(1024), z.string().max(64)) }).strict();

export async function roleMapRoutes(app: FastifyInstance, options: { readonly roleMap: DirectoryRoleMap; readonly now: () => number }): Promise<void> {
  app.get('/api/v1/federation/ldap/role-map', async () => ({ entries: await options.roleMap.entries() }));
  app.put('/api/v1/federation/ldap/role-map', async (request) => {
    const body = parseParams(putBody, request.body ?? {});
    try {
      await options.roleMap.replace(body.map, options.now());
    } catch (error) {
      if (error instanceof RoleMapError) throw new ApiError(400, 'INVALID_ROLE_MAP', error.message);
      throw error;
    }
    return { entries: await options.roleMap.entries() };
  });
}
