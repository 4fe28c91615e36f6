// Refuses to send alerts to loopback, private and link-local addresses (SSRF) unless configuration allows it.
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
    return PRIVATE.check(address, 'ipv6');
  }
  return PRIVATE.check(address, 'ipv4');
}

export interface NetworkPolicy {
  /** Allow loopback and private receivers (an internal relay, or tests). Off by default. */
  readonly allowPrivateNetworks: boolean;
}

/** Every address of a host name, as `dns.lookup` gives them; tests stand in a DNS server that changes its answers. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true });

function refusal(host: string, address: string): string {
  return `${host} resolves to ${address}, a loopback or private address; set alerts.allowPrivateNetworks to send there`;
}

/**
 * The address to connect to for `host` once every address it resolves to passed the policy (the literal itself
 * for an address literal), or why not: for good when the policy refuses it, for now when the name did not resolve.
 */
export async function checkedAddress(
  host: string,
  policy: NetworkPolicy,
  resolve: Resolver = systemResolver,
): Promise<{ address: string } | { refused: string; permanent: boolean }> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(bare) !== 0) {
    addresses = [bare];
  } else {
    try {
      addresses = (await resolve(bare)).map((a) => a.address);
    } catch (error) {
      return { refused: `cannot resolve ${bare}: ${(error as { code?: string }).code ?? 'lookup failed'}`, permanent: false };
    }
  }
  const blocked = policy.allowPrivateNetworks ? undefined : addresses.find(isPrivateAddress);
  if (blocked !== undefined) return { refused: refusal(bare, blocked), permanent: true };
  const first = addresses[0];
  return first === undefined ? { refused: `cannot resolve ${bare}: no address`, permanent: false } : { address: first };
}

/** The error a connection fails with when its host name resolved to an address the policy refuses. */
export class RefusedAddressError extends Error {
  readonly code = 'EREFUSEDADDRESS';
}

/**
 * The `lookup` of a connection to a receiver. A check before connecting is not enough: the connection resolves
 * the name again, and a DNS server that answers a public address first and a private one next (DNS rebinding)
 * passes the check and then reaches the private address. This lookup checks the very addresses the socket then
 * connects to. (An address literal is never looked up: callers check those with `checkedAddress`.)
 */
export function guardedLookup(policy: NetworkPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (found) => {
        const all = options.family === 4 || options.family === 6 ? found.filter((a) => a.family === options.family) : found;
        const blocked = policy.allowPrivateNetworks ? undefined : all.find((a) => isPrivateAddress(a.address));
        if (blocked !== undefined) return callback(new RefusedAddressError(refusal(hostname, blocked.address)), '', 0);
        const first = all[0];
        if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
        if (options.all) return callback(null, all);
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
