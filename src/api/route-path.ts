// The path a request is routed to, for decisions (authentication, rate scopes) that must agree with the router.
import type { FastifyRequest } from 'fastify';

/**
 * The matched route's pattern (`/api/v1/findings/:accountId/:region/:id`), or, when no route matched, the
 * decoded path. Never the raw URL: the router decodes percent-escapes, so `/%61pi/v1/findings` reaches the
 * `/api/v1/findings` handler, and a check on the raw URL would let it through unauthenticated.
 */
export function routePath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route !== undefined) return route;
  const raw = request.url.split('?')[0]!;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
