// POST /api/v1/findings/{accountId}/{region}/{id}/archive and /unarchive: Yagura's own archived state.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FindingStore } from '../../store/finding-store.js';
import { notFound, visible } from './findings.js';
import { presentFinding } from '../present.js';
import { parseParams } from '../validate.js';

export interface ArchiveRouteOptions {
  readonly store: FindingStore;
  readonly now?: () => number;
}

const keyParams = z.object({ accountId: z.string().max(64), region: z.string().max(32), id: z.string().max(256) }).strict();

export async function archiveRoutes(app: FastifyInstance, options: ArchiveRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;
  for (const [action, archived] of [['archive', true], ['unarchive', false]] as const) {
    app.post(`/api/v1/findings/:accountId/:region/:id/${action}`, async (request) => {
      const key = parseParams(keyParams, request.params);
      const at = now();
      if (!(await visible(options.store, request, key))) throw notFound(key);
      const found = await options.store.setArchived(key, archived, request.identity!.name, at);
      if (!found) throw notFound(key);
      const record = await options.store.get(key);
      return presentFinding(record!, at);
    });
  }
}
