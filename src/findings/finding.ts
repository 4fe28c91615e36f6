// The finding: GuardDuty's own document, kept verbatim, plus the few facts Yagura reads from it.
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

/** A finding as it crosses to another thread: `doc` stays behind, since `json` holds it already. */
export type FindingWire = Omit<Finding, 'doc'>;

export function findingToWire(finding: Finding): FindingWire {
  const { doc: _doc, ...wire } = finding;
  return wire;
}

/** The finding again, its `doc` parsed from `json` on first use (a store write needs only `json`). */
export function findingFromWire(wire: FindingWire): Finding {
  let doc: FindingDocument | undefined;
  return Object.defineProperty(wire, 'doc', {
    enumerable: true,
    get: (): FindingDocument => (doc ??= JSON.parse(wire.json) as FindingDocument),
  }) as Finding;
}
