// The search table's columns: what each shows (as text) and which API sort field orders it.
import type { Presented } from '../api.js';
import { remoteParty, resource } from '../actor.js';
import { at, text, when } from '../format.js';

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly sort?: string;
  readonly value: (f: Presented) => string;
  /** A fixed width for short values; the others share what is left, so the table always fits its card. */
  readonly width?: string;
}

export const COLUMNS: readonly Column[] = [
  { key: 'updatedAt', label: 'Updated', width: '11.5em', sort: 'updatedAt', value: (f) => when(f.finding.updatedAt) },
  { key: 'band', label: 'Severity', width: '6.5em', sort: 'severity', value: (f) => `${f.yagura.band} ${text(f.finding.severity)}` },
  { key: 'type', label: 'Type', sort: 'type', value: (f) => text(f.finding.type) },
  { key: 'title', label: 'Title', value: (f) => text(f.finding.title) },
  { key: 'accountId', label: 'Account', width: '8.5em', sort: 'accountId', value: (f) => f.yagura.accountId },
  { key: 'region', label: 'Region', width: '7em', sort: 'region', value: (f) => f.yagura.region },
  { key: 'resourceType', label: 'Resource type', width: '8em', value: (f) => resource(f.finding).type },
  { key: 'resource', label: 'Resource', value: (f) => resource(f.finding).id },
  { key: 'actionType', label: 'Action', value: (f) => text(at(f.finding, 'service.action.actionType')) },
  { key: 'remoteIp', label: 'Remote IP', width: '8.5em', value: (f) => remoteParty(f.finding)?.ip ?? '' },
  { key: 'count', label: 'Count', width: '4.5em', sort: 'count', value: (f) => text(at(f.finding, 'service.count')) },
  { key: 'firstSeen', label: 'First seen', width: '11.5em', sort: 'firstSeen', value: (f) => when(f.yagura.firstSeen) },
  { key: 'archived', label: 'Archived', width: '5em', value: (f) => (f.yagura.archived ? 'yes' : 'no') },
];

export const DEFAULT_COLUMNS = ['updatedAt', 'band', 'type', 'accountId', 'region', 'resourceType', 'remoteIp', 'count'];
