// Requires a valid API key on every /api route: `Authorization: Bearer <key>` or `X-Api-Key: <key>`.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate, type ApiKeyRepository, type Identity } from '../auth/api-keys.js';
import { ApiError } from './api-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
  }
}

/** The key a request presents, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

export function registerAuthentication(app: FastifyInstance, keys: ApiKeyRepository): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const key = presentedKey(request);
    const challenge = { 'www-authenticate': 'Bearer realm="yagura"' };
    if (key === undefined) {
      throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"', challenge);
    }
    const identity = await authenticate(keys, key);
    if (identity === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'the API key is not valid', challenge);
    request.identity = identity;
  });
}
