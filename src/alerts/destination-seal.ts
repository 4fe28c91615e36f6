// Alert destinations at rest, whatever the backend: each destination's whole spec is sealed with the master key,
// bound to its id, so that a sealed spec copied to another row (or another backend's row of another id) does not open.
import type { DestinationSpec } from './destination.js';
import type { SecretBox } from '../auth/secrets/secret-box.js';

/** The context a destination's spec is sealed for. */
export function destinationContext(id: string): string {
  return `destination:${id}`;
}

export function sealSpec(box: SecretBox, id: string, spec: DestinationSpec): string {
  return box.seal(JSON.stringify(spec), destinationContext(id));
}

export function openSpec(box: SecretBox, id: string, sealed: string): DestinationSpec {
  return JSON.parse(box.open(sealed, destinationContext(id))) as DestinationSpec;
}
