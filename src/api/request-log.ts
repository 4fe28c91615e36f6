// Request logging: one line per request at debug, so that the default level shows what needs attention.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify logs two lines per request at info; an EventBridge feed sends a request per finding, which buried
 * warnings and errors under routine traffic. Here a request is one line (method, URL, status, time) at debug,
 * and a request that failed stays at error.
 */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) super.requestCompleted(error, request, reply);
    else reply.log.debug({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'route not found');
  }
}
