// The finding: GuardDuty's own document, kept verbatim, plus the few facts Yagura reads from it.
import type { PathValue } from './path-values.js';
import type { SeverityBand } from './severity.js';

/** A GuardDuty finding document (schemaVersion 2.0) exactly as AWS emitted it, unknown fields included. */
export type FindingDocument = Record<string, unknown>;

/** A finding's identity. GuardDuty updates a finding in place under the same key. */
export interface FindingKey {
  readonly accountId: string;
  readonly region: string;
  readonly id: string;
}

/** A remote party seen in a finding's action (network peer, API caller, prober). */
export interface RemoteParty {
  readonly ip: string;
  readonly country?: string;
  readonly org?: string;
}

/**
 * One validated version of a finding. `doc` is what GuardDuty sent; every other field is read from it
 * and never written back into it.
 */
export interface Finding {
  readonly key: FindingKey;
  readonly doc: FindingDocument;
  /** `doc` serialised once, as stored and archived. */
  readonly json: string;
  /**
   * `json` encoded as UTF-8, when the finding was validated on another thread (an import): the store and the
   * archive write these bytes as they are, and `json` is decoded from them only if something reads it.
   */
  readonly jsonBytes?: Uint8Array;
  readonly type: string;
  readonly severity: number;
  readonly band: SeverityBand;
  readonly title: string | undefined;
  readonly arn: string | undefined;
  /** Epoch milliseconds. */
  readonly createdAt: number | undefined;
  /** Epoch milliseconds. */
  readonly updatedAt: number;
  /** `service.count`, 1 when absent. */
  readonly count: number;
  /** `service.archived`. */
  readonly archived: boolean;
  /** `service.additionalInfo.sample` (CreateSampleFindings output). */
  readonly sample: boolean;
  readonly resourceType: string | undefined;
  readonly actionType: string | undefined;
  /** Identifier of the affected resource (instance ID, access key ID, bucket, cluster, …), by resource type. */
  readonly resourceId: string | undefined;
  readonly remoteParties: readonly RemoteParty[];
  /** Values under the indexed document paths (see path-values.ts). */
  readonly pathValues: readonly PathValue[];
  /** Lower-cased text searched by bare KQL words: title, description, type, resource and network names. */
  readonly text: string;
  /** Content hash of the canonical document; equal hashes are the same version. */
  readonly hash: string;
}

/** What Yagura derives about a finding over time; stored beside GuardDuty's document, never inside it. */
export interface DerivedFields {
  readonly band: SeverityBand;
  /** Epoch ms when Yagura first stored any version of the finding. */
  readonly firstSeen: number;
  /** Epoch ms when Yagura last stored a new version. */
  readonly lastSeen: number;
  readonly versions: number;
  readonly archived: boolean;
}

export function keyString(key: FindingKey): string {
  return `${key.accountId}/${key.region}/${key.id}`;
}

/**
 * A finding as it crosses to another thread: `doc` stays behind, and `json` crosses as UTF-8 bytes, a view of a
 * buffer that is transferred, not copied, with the findings beside it. The receiving thread's heap then holds
 * no copy of the document at all unless something reads it (the store and the archive take the bytes).
 */
export type FindingWire = Omit<Finding, 'doc' | 'json' | 'jsonBytes'> & { readonly jsonBytes: Uint8Array };

/**
 * Packs findings for another thread: their JSON is written, as UTF-8, into one new buffer, which the caller
 * passes in `postMessage`'s transfer list.
 */
export function findingsToWire(findings: readonly Finding[]): { wires: FindingWire[]; transfer: ArrayBuffer[] } {
  if (findings.length === 0) return { wires: [], transfer: [] };
  const sizes = findings.map((f) => Buffer.byteLength(f.json, 'utf8'));
  const bytes = Buffer.allocUnsafeSlow(sizes.reduce((a, b) => a + b, 0));
  let offset = 0;
  const wires = findings.map((finding, i): FindingWire => {
    const { doc: _doc, json, jsonBytes: _bytes, ...rest } = finding;
    bytes.write(json, offset, 'utf8');
    const view = bytes.subarray(offset, offset + sizes[i]!);
    offset += sizes[i]!;
    return { ...rest, jsonBytes: view };
  });
  return { wires, transfer: [bytes.buffer as ArrayBuffer] };
}

/** The finding again: `json` is decoded from its bytes, and `doc` parsed from `json`, on first use. */
export function findingFromWire(wire: FindingWire): Finding {
  const bytes = Buffer.from(wire.jsonBytes.buffer, wire.jsonBytes.byteOffset, wire.jsonBytes.byteLength);
  let json: string | undefined;
  let doc: FindingDocument | undefined;
  return Object.defineProperties(wire, {
    jsonBytes: { enumerable: true, value: bytes },
    json: { enumerable: true, get: (): string => (json ??= bytes.toString('utf8')) },
    doc: { enumerable: true, get: (): FindingDocument => (doc ??= JSON.parse((json ??= bytes.toString('utf8'))) as FindingDocument) },
  }) as unknown as Finding;
}
