// Refuses to send alerts to loopback, private and link-local addresses (SSRF) unless configuration allows it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

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

/** Undefined when sending to `host` is allowed; otherwise why not. Resolves names, checking every address. */
export async function refuseHost(host: string, policy: NetworkPolicy): Promise<string | undefined> {
  if (policy.allowPrivateNetworks) return undefined;
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(bare) !== 0) {
    addresses = [bare];
  } else {
    try {
      addresses = (await lookup(bare, { all: true })).map((a) => a.address);
    } catch (error) {
      return `cannot resolve ${bare}: ${(error as { code?: string }).code ?? 'lookup failed'}`;
    }
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked === undefined ? undefined : `${bare} resolves to ${blocked}, a loopback or private address; set alerts.allowPrivateNetworks to send there`;
}
