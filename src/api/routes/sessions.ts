// Dashboard login: POST /api/v1/sessions trades an API key for a session cookie; GET/DELETE .../current.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { authenticate, type ApiKeyRepository } from '../../auth/api-keys.js';
import type { Sessions } from '../../auth/sessions.js';
import { ApiError } from '../api-error.js';
import { checkCsrf, SESSION_COOKIE } from '../authenticate.js';
import { parseParams } from '../validate.js';

export interface SessionRouteOptions {
  readonly keys: ApiKeyRepository;
  readonly sessions: Sessions;
  /** Adds `Secure` to the cookie: set when the server speaks TLS. */
  readonly secureCookie: boolean;
}

const loginBody = z.object({ apiKey: z.string().min(1).max(512) }).strict();

export async function sessionRoutes(app: FastifyInstance, options: SessionRouteOptions): Promise<void> {
  const cookie = (reply: FastifyReply, value: string, maxAgeSeconds: number): void => {
    reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'strict', secure: options.secureCookie, path: '/', maxAge: maxAgeSeconds });
  };

  app.post('/api/v1/sessions', async (request, reply) => {
    // Login CSRF (planting the attacker's session in a victim's browser) is refused like any other.
    checkCsrf(request);
    const { apiKey } = parseParams(loginBody, request.body ?? {});
    const identity = await authenticate(options.keys, apiKey);
    if (identity === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'the API key is not valid');
    const { token, record } = await options.sessions.open(identity);
    cookie(reply, token, options.sessions.policy.maxAgeSeconds);
    reply.code(201);
    return { name: record.name, expiresAt: new Date(record.expiresAt).toISOString(), idleSeconds: options.sessions.policy.idleSeconds };
  });

  app.get('/api/v1/sessions/current', async (request) => {
    const identity = request.identity!;
    return {
      name: identity.name,
      via: request.session ? 'session' : 'apiKey',
      ...(request.session && { expiresAt: new Date(request.session.expiresAt).toISOString() }),
    };
  });

  app.delete('/api/v1/sessions/current', async (request, reply) => {
    if (request.session === undefined) throw new ApiError(400, 'NO_SESSION', 'this request is authenticated by an API key, not a session; there is nothing to log out of');
    await options.sessions.close(request.session.token);
    cookie(reply, '', 0);
    reply.code(204);
  });
}
