// /api/v1/keys: API keys for a user or role, shown once at creation; DELETE revokes at once.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { generateYkKey } from '../../../auth/principals/keys.js';
import { iamArn } from '../../../auth/principals/names.js';
import type { PrincipalStore } from '../../../auth/principals/principal-store.js';
import type { SigningKeys } from '../../../auth/principals/signing-keys.js';
import type { KeyRecord } from '../../../auth/principals/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { iamName, nextCursor, pageOf } from './iam-params.js';

const createBody = z
  .object({ name: z.string().min(1).max(128), role: iamName.optional(), user: iamName.optional(), expiresAt: z.string().max(64).optional() })
  .strict()
  .refine((b) => (b.role === undefined) !== (b.user === undefined), 'give exactly one of "role" or "user"');
const idParams = z.object({ id: z.string().min(1).max(64) }).strict();

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

function present(k: KeyRecord): Record<string, unknown> {
  return {
    id: k.id,
    prefix: k.prefix,
    name: k.name,
    owner: { kind: k.owner.kind, name: k.owner.name, arn: iamArn(k.owner.kind, k.owner.name) },
    createdAt: iso(k.createdAt),
    lastUsedAt: iso(k.lastUsedAt),
    expiresAt: iso(k.expiresAt),
    revoked: k.revokedAt !== null,
    revokedAt: iso(k.revokedAt),
  };
}

/** An ISO-8601 time in the future, or 400 INVALID_EXPIRY. */
function expiryOf(text: string | undefined, now: number): number | null {
  if (text === undefined) return null;
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) throw new ApiError(400, 'INVALID_EXPIRY', '"expiresAt" is not an ISO-8601 time such as 2027-01-31T00:00:00Z');
  if (at <= now) throw new ApiError(400, 'INVALID_EXPIRY', '"expiresAt" is in the past; a key must expire in the future');
  return at;
}

export async function keyRoutes(app: FastifyInstance, options: { store: PrincipalStore; now: () => number; signing?: SigningKeys | undefined }): Promise<void> {
  const { store, now } = options;
  app.post('/api/v1/keys', async (request, reply) => {
    const body = parseParams(createBody, request.body ?? {});
    const at = now();
    const expiresAt = expiryOf(body.expiresAt, at);
    const generated = generateYkKey();
    const owner = body.role !== undefined ? { kind: 'role' as const, name: body.role } : { kind: 'user' as const, name: body.user! };
    await store.createApiKey({ id: generated.id, prefix: generated.prefix, name: body.name, hash: generated.hash, owner, createdAt: at, expiresAt });
    // SigV4 credentials of the same key, shown once with it: for clients that sign requests as they do for AWS.
    const signing = options.signing && (await options.signing.create(generated.id));
    reply.code(201);
    return { id: generated.id, key: generated.key, prefix: generated.prefix, ...(signing && { accessKeyId: signing.accessKeyId, secretAccessKey: signing.secretAccessKey }) };
  });
  app.get('/api/v1/keys', async (request) => {
    const page = await store.listKeys(pageOf(request.query));
    return { keys: page.items.map(present), nextCursor: nextCursor(page.next) };
  });
  app.delete('/api/v1/keys/:id', async (request, reply) => {
    const { id } = parseParams(idParams, request.params);
    await store.revokeKey(id, now());
    reply.code(204);
  });
}
