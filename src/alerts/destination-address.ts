// Checks a destination's receiver against the network policy when it is saved, with the check sending makes.
import { AlertError } from './alert-error.js';
import type { DestinationSpec } from './destination.js';
import { checkedAddress, systemResolver, type NetworkPolicy, type Resolver } from './sinks/network-policy.js';

/** The host a destination connects to: the relay of an email destination, the URL's host otherwise. */
function receiverHost(spec: DestinationSpec): string {
  return spec.type === 'email' ? spec.host : new URL(spec.url).hostname;
}

/**
 * Refuses (`PRIVATE_ADDRESS`) a receiver that is, or whose name resolves to, a loopback or private address, with
 * the sentence a send would give. A name that does not resolve now is accepted with a warning: DNS may be down
 * for a moment, and every send checks the addresses it connects to anyway, so this check is a courtesy to the
 * person saving the destination, not the defence.
 */
export async function checkReceiverAddress(spec: DestinationSpec, policy: NetworkPolicy, resolve: Resolver = systemResolver): Promise<string[]> {
  if (policy.allowPrivateNetworks) return [];
  const checked = await checkedAddress(receiverHost(spec), policy, resolve);
  if (!('refused' in checked)) return [];
  if (checked.permanent) throw new AlertError('PRIVATE_ADDRESS', checked.refused);
  return [`${checked.refused}; the destination was saved, and each send checks the address again`];
}
