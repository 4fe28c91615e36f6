// The caller's finding read scope as a handler sees it: what the authorization hook set, or nothing at all.
import type { FastifyRequest } from 'fastify';
import type { BoundNode } from '../query/bound.js';
import { oneOf } from '../query/scope.js';

/** A route that reads findings without a scope set (a wiring mistake) reads none rather than all. */
export function readScope(request: FastifyRequest): BoundNode {
  return request.findingScope ?? oneOf('accountId', []);
}
