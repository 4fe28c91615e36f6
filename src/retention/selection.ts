// Which findings a store pass removes, as queries the store already answers: for each severity band and each rule
// that decides some accounts' findings of that band, "band = B and the account is one of these" with the time
// range ending at the rule's cutoff on updatedAt, and every legal hold AND-ed out.
import type { CatalogAccount } from '../catalog/records.js';
import { UNASSIGNED_GROUP } from '../catalog/names.js';
import { bandRank, SEVERITY_BANDS, type SeverityBand } from '../findings/severity.js';
import type { BoundNode, BoundQuery, ColumnField } from '../query/bound.js';
import { bindQuery } from '../query/bind.js';
import { resolveField } from '../query/fields.js';
import { parseQuery } from '../query/parser.js';
import { oneOf } from '../query/scope.js';
import { decideRetention, type AccountFacts, type RetentionPolicy } from './retention-policy.js';
import type { LegalHold } from './retention-store.js';

export const DAY_MS = 86_400_000;

/** Findings of one band whose store retention one rule decides. */
export interface StoreClass {
  readonly rule: string;
  readonly band: SeverityBand;
  /** Undefined: kept forever. */
  readonly days: number | undefined;
  /** The accounts this class covers. */
  readonly accounts: BoundNode;
}

/** What decides retention about each account: its catalog entry, and `unassigned` for those the catalog lacks. */
export class AccountDirectory {
  private readonly byId: ReadonlyMap<string, AccountFacts>;

  constructor(accounts: readonly Pick<CatalogAccount, 'accountId' | 'group' | 'tags'>[]) {
    this.byId = new Map(accounts.map((a) => [a.accountId, { accountId: a.accountId, group: a.group, tags: a.tags }]));
  }

  facts(accountId: string): AccountFacts {
    return this.byId.get(accountId) ?? { accountId, group: UNASSIGNED_GROUP, tags: {} };
  }

  /** Accounts known by ID: the catalog's and those rules name. */
  known(policy: RetentionPolicy): AccountFacts[] {
    const ids = new Set(this.byId.keys());
    for (const rule of policy.rules) for (const id of rule.accounts ?? []) ids.add(id);
    return [...ids].sort().map((id) => this.facts(id));
  }
}

/**
 * The store classes of `policy`: for each band, the rule that decides each known account, and the rule that decides
 * every other account (`unassigned`, no tags). A class whose accounts are all the others becomes "none of the
 * accounts other rules decide", so its condition stays as short as the catalog's exceptions.
 */
export function storeClasses(policy: RetentionPolicy, directory: AccountDirectory): StoreClass[] {
  const known = directory.known(policy);
  const classes: StoreClass[] = [];
  for (const band of SEVERITY_BANDS) {
    const others = decideRetention(policy, 'store', band, { accountId: '', group: UNASSIGNED_GROUP, tags: {} });
    const byRule = new Map<string, { days: number | undefined; accounts: string[] }>();
    const notOthers: string[] = [];
    for (const account of known) {
      const decision = decideRetention(policy, 'store', band, account);
      if (decision.rule === others.rule) continue;
      notOthers.push(account.accountId);
      const entry = byRule.get(decision.rule) ?? { days: decision.days, accounts: [] };
      entry.accounts.push(account.accountId);
      byRule.set(decision.rule, entry);
    }
    classes.push({ rule: others.rule, band, days: others.days, accounts: notOthers.length === 0 ? { kind: 'all' } : { kind: 'not', child: oneOf('accountId', notOthers) } });
    for (const [rule, entry] of byRule) classes.push({ rule, band, days: entry.days, accounts: oneOf('accountId', entry.accounts) });
  }
  return classes;
}

/**
 * The findings any of `holds` keeps, bound at `now` (a hold's relative times resolve at each pass); undefined when
 * none is in force. Throws QueryError when a hold's query no longer binds: a pass must stop rather than ignore it.
 */
export function heldCondition(holds: readonly LegalHold[], now: number): BoundNode | undefined {
  const parts: BoundNode[] = [];
  const accounts = holds.flatMap((h) => (h.accountId !== undefined ? [h.accountId] : []));
  if (accounts.length > 0) parts.push(oneOf('accountId', accounts));
  for (const hold of holds) if (hold.query !== undefined) parts.push(bindQuery(parseQuery(hold.query), { now }).root);
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : { kind: 'or', children: parts };
}

const BAND_FIELD = resolveField('band') as ColumnField;

function and(...nodes: BoundNode[]): BoundNode {
  const children = nodes.filter((n) => n.kind !== 'all').flatMap((n) => (n.kind === 'and' ? n.children : [n]));
  if (children.length === 0) return { kind: 'all' };
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** Every finding of the class, whatever its age or hold. */
export function classQuery(c: StoreClass): BoundQuery {
  return { kind: 'bound', root: and({ kind: 'band', field: BAND_FIELD, op: '=', rank: bandRank(c.band) }, c.accounts) };
}

/** The class's findings no hold keeps (`held` undefined: none in force); the caller ends the time range at the cutoff. */
export function removableQuery(c: StoreClass, held: BoundNode | undefined): BoundQuery {
  const all = classQuery(c);
  return held === undefined ? all : { kind: 'bound', root: and(all.root, { kind: 'not', child: held }) };
}

/** The class's findings a hold keeps. */
export function heldQuery(c: StoreClass, held: BoundNode): BoundQuery {
  return { kind: 'bound', root: and(classQuery(c).root, held) };
}

/** The instant before which a class's findings (by updatedAt) have passed their retention. */
export function cutoff(days: number, now: number): number {
  return now - days * DAY_MS;
}
