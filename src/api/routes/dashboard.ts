// Serves the built dashboard (web/ → dist/web) at `/`, under a Content-Security-Policy that forbids inline script.
import fastifyStatic from '@fastify/static';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface DashboardOptions {
  /** Folder of the Vite build (index.html and assets/). */
  readonly root: string;
}

/** Everything the page needs comes from this origin; nothing inline, no frames, no foreign connections. */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Client-side views; a link to any of them loads the page, which then reads its state from the URL. */
const VIEWS = ['/', '/login', '/search', '/alerts', '/findings/*', '/access/*'];

export async function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    // Vite names assets by content hash, so they never change; the page itself must always be fresh.
    const immutable = request.url.startsWith('/assets/');
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  await app.register(fastifyStatic, { root: path.join(options.root, 'assets'), prefix: '/assets/', index: false, wildcard: true, serve: true, decorateReply: true, cacheControl: false });
  // Only the assets folder is served as files: index.html is sent for the views.
  for (const view of VIEWS) app.get(view, async (_request, reply) => reply.sendFile('index.html', options.root));
}
