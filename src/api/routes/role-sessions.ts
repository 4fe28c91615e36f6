// /api/v1/role-sessions: the temporary credentials in force (never their secrets), and revoking them at once.
import type { FastifyInstance } from 'fastify';
import { assumedRoleArn } from '../../auth/principals/names.js';
import type { RoleSessionRecord } from '../../auth/sts/role-session-store.js';
import { isTemporaryAccessKeyId, type RoleSessions } from '../../auth/sts/role-sessions.js';
import { ApiError } from '../api-error.js';
import { nextCursor, pageOf } from './iam/iam-params.js';

function present(r: RoleSessionRecord): Record<string, unknown> {
  return {
    accessKeyId: r.accessKeyId,
    arn: assumedRoleArn(r.roleName, r.sessionName),
    role: r.roleName,
    sessionName: r.sessionName,
    source: r.source,
    subject: r.subject,
    sourceIp: r.sourceIp,
    hasSessionPolicy: r.sessionPolicy !== null,
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    revokedAt: r.revokedAt === null ? null : new Date(r.revokedAt).toISOString(),
  };
}

export async function roleSessionRoutes(app: FastifyInstance, options: { readonly roleSessions: RoleSessions }): Promise<void> {
  const { roleSessions } = options;
  app.get('/api/v1/role-sessions', async (request, reply) => {
    const page = await roleSessions.list(pageOf(request.query));
    reply.auditItems = page.items.length;
    return { roleSessions: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.delete('/api/v1/role-sessions/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const notFound = new ApiError(404, 'ROLE_SESSION_NOT_FOUND', 'there are no temporary credentials in force with this access key ID');
    if (!isTemporaryAccessKeyId(id)) throw notFound;
    if (!(await roleSessions.revoke(id))) throw notFound;
    request.auditDetail = { action: 'yagura:RevokeRoleSession', resource: `arn:yagura:sts:::session/${id}`, reason: 'revoked by an administrator' };
    reply.code(204);
  });
}
