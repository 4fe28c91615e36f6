// Rate-based rules as AWS WAF defines them: requests per source IP and per credential over a trailing window.
import { BlockList, isIP } from 'node:net';
import { SlidingWindowCounter } from './sliding-window.js';

export type RateScope = 'ingest' | 'read' | 'login';

export interface RateRulesOptions {
  readonly windowSeconds: number;
  /** Requests allowed per source (IP or credential) per window, by scope. */
  readonly limits: Readonly<Record<RateScope, number>>;
  /** Sources never limited, in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`). */
  readonly allowCidrs: readonly string[];
  readonly maxTrackedSources: number;
}

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number; readonly limit: number };

export interface RateBlock {
  readonly scope: RateScope;
  readonly source: string;
  readonly count: number;
  readonly limit: number;
}

/** Parses allow-list CIDRs; throws with the bad entry named. */
export function buildAllowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', prefix] = cidr.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
    if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
      throw new Error(`"${cidr}" is not a CIDR block such as 10.0.0.0/8`);
    }
    list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

export class RateRules {
  private readonly counters: Record<RateScope, SlidingWindowCounter>;
  private readonly allow: BlockList;
  private readonly blocked = new Map<RateScope, number>();

  constructor(
    private readonly options: RateRulesOptions,
    private readonly now: () => number = Date.now,
  ) {
    const make = (): SlidingWindowCounter => new SlidingWindowCounter({ windowMs: options.windowSeconds * 1000, buckets: 10, maxKeys: options.maxTrackedSources });
    this.counters = { ingest: make(), read: make(), login: make() };
    this.allow = buildAllowList(options.allowCidrs);
  }

  isAllowListed(ip: string): boolean {
    const family = isIP(ip);
    if (family === 0) return false;
    if (family === 6 && ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return this.allow.check(ip.slice(7), 'ipv4');
    return this.allow.check(ip, family === 6 ? 'ipv6' : 'ipv4');
  }

  /** Counts a request from `source` (`ip:…` or `key:…`) and decides whether it may proceed. */
  check(scope: RateScope, source: string): RateDecision {
    const limit = this.options.limits[scope];
    const now = this.now();
    const count = this.counters[scope].hit(source, now);
    if (count <= limit) return { allowed: true };
    this.blocked.set(scope, (this.blocked.get(scope) ?? 0) + 1);
    const ms = this.counters[scope].msUntilBelow(source, limit, now);
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)), limit };
  }

  /** Sources currently over their limit, for admins and metrics. */
  blocks(): RateBlock[] {
    const now = this.now();
    return (Object.keys(this.counters) as RateScope[]).flatMap((scope) =>
      this.counters[scope].over(this.options.limits[scope], now).map(({ key, count }) => ({ scope, source: key, count, limit: this.options.limits[scope] })),
    );
  }

  /** Requests refused so far, by scope. */
  refusals(): ReadonlyMap<RateScope, number> {
    return this.blocked;
  }
}
