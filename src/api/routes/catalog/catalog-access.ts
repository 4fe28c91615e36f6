// Who may see what in the account catalog: every check combines the caller's identity policies with the catalog's
// resource policy, and listings keep only the items the caller may read, as Glue's GetTables does.
import type { FastifyRequest } from 'fastify';
import type { ActionDefinition } from '../../../auth/actions.js';
import type { RequestContext } from '../../../auth/policy/document.js';
import type { Catalog } from '../../../catalog/catalog.js';
import { accountArn, groupArn, type CatalogTags } from '../../../catalog/names.js';
import type { CatalogAccount, CatalogPage } from '../../../catalog/records.js';
import { authorize, isAllowed } from '../../authorize.js';

function tagContext(tags: CatalogTags | undefined): Record<string, string> {
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) context[`aws:ResourceTag/${k}`] = v;
  return context;
}

export function groupContext(tags: CatalogTags | undefined): RequestContext {
  return tagContext(tags);
}

export function accountContext(account: Pick<CatalogAccount, 'accountId' | 'tags'>): RequestContext {
  return { ...tagContext(account.tags), 'aws:ResourceAccount': account.accountId };
}

/** Checks of one request against the catalog, with the resource policy as it is when the request arrived. */
export class CatalogAccess {
  private readonly resourcePolicy;

  constructor(
    private readonly request: FastifyRequest,
    catalog: Catalog,
    private readonly now: number,
  ) {
    this.resourcePolicy = catalog.resourcePolicy();
  }

  /** `aws:ResourceArn` is set too, so `ArnLike` conditions can name catalog resources as patterns. */
  allows(action: ActionDefinition, resource: string, context?: RequestContext): boolean {
    return isAllowed(this.request, action, resource, this.now, { resourcePolicy: this.resourcePolicy, context: { ...context, 'aws:ResourceArn': resource } });
  }

  /** 403 ACCESS_DENIED unless allowed. */
  require(action: ActionDefinition, resource: string, context?: RequestContext): void {
    authorize(this.request, action, resource, this.now, { resourcePolicy: this.resourcePolicy, context: { ...context, 'aws:ResourceArn': resource } });
  }

  allowsGroup(action: ActionDefinition, group: { name: string; tags: CatalogTags }): boolean {
    return this.allows(action, groupArn(group.name), groupContext(group.tags));
  }

  allowsAccount(action: ActionDefinition, account: CatalogAccount): boolean {
    return this.allows(action, accountArn(account.group, account.accountId), accountContext(account));
  }
}

/**
 * A page of up to `limit` items the caller may see, read from the store page by page; `next` is the position of
 * the last item shown, so a page never reveals anything about items the caller may not see.
 */
export async function visiblePage<T>(
  read: (after: string | undefined, limit: number) => Promise<CatalogPage<T>>,
  visible: (item: T) => boolean,
  position: (item: T) => string,
  limit: number,
  after: string | undefined,
): Promise<CatalogPage<T>> {
  const items: T[] = [];
  let cursor = after;
  for (;;) {
    const page = await read(cursor, limit);
    for (const item of page.items) {
      if (!visible(item)) continue;
      if (items.length === limit) return { items, next: position(items[items.length - 1]!) };
      items.push(item);
    }
    if (page.next === undefined) return { items };
    cursor = page.next;
  }
}
