// /api/v1/catalog: the account catalog — groups, their AWS accounts, and the catalog's resource policy. Listings
// answer 403 without permission on the parent and otherwise show only what the caller may read.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ACTIONS } from '../../../auth/actions.js';
import type { Catalog } from '../../../catalog/catalog.js';
import { accountArn, CATALOG_ARN, checkAccountId, checkGroupName, groupArn } from '../../../catalog/names.js';
import type { CatalogAccount, CatalogGroup } from '../../../catalog/records.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';
import { nextCursor, pageOf } from '../iam/iam-params.js';
import { accountContext, CatalogAccess, groupContext, visiblePage } from './catalog-access.js';

// Tag limits are checked by the catalog (INVALID_TAGS); here only the shape.
const tags = z.record(z.string(), z.string());
const groupBody = z.object({ tags: tags.optional() }).strict();
const accountBody = z.object({ group: z.string().max(200), name: z.string().max(1000).nullable().optional(), tags: tags.optional() }).strict();
const policyBody = z.object({ document: z.unknown().optional() }).strict();

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function presentGroup(g: CatalogGroup): Record<string, unknown> {
  return { name: g.name, arn: groupArn(g.name), tags: g.tags, builtIn: g.builtIn, createdAt: iso(g.createdAt), updatedAt: iso(g.updatedAt) };
}

function presentAccount(a: CatalogAccount): Record<string, unknown> {
  return { accountId: a.accountId, arn: accountArn(a.group, a.accountId), group: a.group, name: a.name, tags: a.tags, createdAt: iso(a.createdAt), updatedAt: iso(a.updatedAt) };
}

function groupParam(params: unknown): string {
  const name = String((params as { name?: unknown }).name ?? '');
  checkGroupName(name);
  return name;
}

function accountParam(params: unknown): string {
  const id = String((params as { accountId?: unknown }).accountId ?? '');
  checkAccountId(id);
  return id;
}

export async function catalogRoutes(app: FastifyInstance, options: { catalog: Catalog; now: () => number }): Promise<void> {
  const { catalog, now } = options;
  const store = catalog.store;
  const access = (request: FastifyRequest): CatalogAccess => new CatalogAccess(request, catalog, now());

  app.get('/api/v1/catalog', async (request) => {
    access(request).require(ACTIONS.GetCatalog, CATALOG_ARN);
    return { arn: CATALOG_ARN, hasPolicy: catalog.resourcePolicy() !== undefined };
  });

  app.get('/api/v1/catalog/groups', async (request) => {
    const a = access(request);
    a.require(ACTIONS.GetCatalogGroups, CATALOG_ARN);
    const { limit, after } = pageOf(request.query);
    const page = await visiblePage((from, n) => store.listGroups({ limit: n, ...(from !== undefined && { after: from }) }), (g) => a.allowsGroup(ACTIONS.GetCatalogGroup, g), (g) => g.name, limit, after);
    return { groups: page.items.map(presentGroup), nextCursor: nextCursor(page.next) };
  });

  app.get('/api/v1/catalog/groups/:name', async (request) => {
    const name = groupParam(request.params);
    const group = await store.getGroup(name);
    // Decided on the name before existence, so a caller not allowed this group cannot learn whether it exists.
    access(request).require(ACTIONS.GetCatalogGroup, groupArn(name), groupContext(group?.tags));
    if (group === undefined) throw new ApiError(404, 'CATALOG_GROUP_NOT_FOUND', `there is no account group named "${name}"`);
    return presentGroup(group);
  });

  app.put('/api/v1/catalog/groups/:name', async (request) => {
    const name = groupParam(request.params);
    const body = parseParams(groupBody, request.body ?? {});
    const held = await store.getGroup(name);
    access(request).require(ACTIONS.PutCatalogGroup, groupArn(name), groupContext(held?.tags));
    return presentGroup(await catalog.putGroup(name, body.tags ?? {}));
  });

  app.delete('/api/v1/catalog/groups/:name', async (request, reply) => {
    const name = groupParam(request.params);
    const held = await store.getGroup(name);
    access(request).require(ACTIONS.DeleteCatalogGroup, groupArn(name), groupContext(held?.tags));
    await catalog.deleteGroup(name);
    reply.code(204);
  });

  app.get('/api/v1/catalog/groups/:name/accounts', async (request) => {
    const name = groupParam(request.params);
    const a = access(request);
    const group = await store.getGroup(name);
    a.require(ACTIONS.GetCatalogAccounts, CATALOG_ARN);
    a.require(ACTIONS.GetCatalogAccounts, groupArn(name), groupContext(group?.tags));
    if (group === undefined) throw new ApiError(404, 'CATALOG_GROUP_NOT_FOUND', `there is no account group named "${name}"`);
    const { limit, after } = pageOf(request.query);
    const page = await visiblePage((from, n) => store.listAccounts(name, { limit: n, ...(from !== undefined && { after: from }) }), (acc) => a.allowsAccount(ACTIONS.GetCatalogAccount, acc), (acc) => acc.accountId, limit, after);
    return { accounts: page.items.map(presentAccount), nextCursor: nextCursor(page.next) };
  });

  app.get('/api/v1/catalog/accounts/:accountId', async (request) => {
    const id = accountParam(request.params);
    const a = access(request);
    const account = catalog.account(id);
    if (account === undefined) {
      // Where an unknown account would sit is unknown; only a caller who may list accounts learns it is absent.
      a.require(ACTIONS.GetCatalogAccounts, CATALOG_ARN);
      throw new ApiError(404, 'CATALOG_ACCOUNT_NOT_FOUND', `the catalog holds no account ${id}`);
    }
    a.require(ACTIONS.GetCatalogAccount, accountArn(account.group, id), accountContext(account));
    return presentAccount(account);
  });

  app.put('/api/v1/catalog/accounts/:accountId', async (request) => {
    const id = accountParam(request.params);
    const body = parseParams(accountBody, request.body ?? {});
    checkGroupName(body.group);
    const a = access(request);
    const held = catalog.account(id);
    const context = accountContext({ accountId: id, tags: held?.tags ?? {} });
    a.require(ACTIONS.PutCatalogAccount, accountArn(body.group, id), context);
    // Moving takes the account out of its group as well: the caller must be allowed there too.
    if (held !== undefined && held.group !== body.group) a.require(ACTIONS.PutCatalogAccount, accountArn(held.group, id), context);
    const saved = await catalog.putAccount({ accountId: id, group: body.group, ...(body.name !== undefined && { name: body.name }), ...(body.tags !== undefined && { tags: body.tags }) });
    return presentAccount(saved);
  });

  app.get('/api/v1/catalog/policy', async (request) => {
    access(request).require(ACTIONS.GetCatalogPolicy, CATALOG_ARN);
    const policy = await store.getPolicy();
    if (policy === undefined) throw new ApiError(404, 'CATALOG_POLICY_NOT_FOUND', 'the catalog has no resource policy');
    return { arn: CATALOG_ARN, document: policy.document, updatedAt: iso(policy.updatedAt) };
  });

  app.put('/api/v1/catalog/policy', async (request) => {
    access(request).require(ACTIONS.PutCatalogPolicy, CATALOG_ARN);
    const body = parseParams(policyBody, request.body ?? {});
    if (body.document === undefined) throw new ApiError(400, 'INVALID_POLICY', '"document" is required: an IAM resource policy document');
    // INVALID_POLICY (400) naming the statement and element, nothing saved.
    const saved = await catalog.putPolicy(body.document);
    return { arn: CATALOG_ARN, document: saved.document, updatedAt: iso(saved.updatedAt) };
  });

  app.delete('/api/v1/catalog/policy', async (request, reply) => {
    access(request).require(ACTIONS.DeleteCatalogPolicy, CATALOG_ARN);
    await catalog.deletePolicy();
    reply.code(204);
  });
}
