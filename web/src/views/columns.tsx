// The search table's columns: what each shows (as text) and which API sort field orders it.
import type { Presented } from '../api.js';
import { remoteParty, resource } from '../actor.js';
import { at, text, when } from '../format.js';

export interface Column {
  readonly key: string;
  readonly label: string;
  readonly sort?: string;
  readonly value: (f: Presented) => string;
}

export const COLUMNS: readonly Column[] = [
  { key: 'updatedAt', label: 'Updated', sort: 'updatedAt', value: (f) => when(f.finding.updatedAt) },
  { key: 'band', label: 'Severity', sort: 'severity', value: (f) => `${f.yagura.band} ${text(f.finding.severity)}` },
  { key: 'type', label: 'Type', sort: 'type', value: (f) => text(f.finding.type) },
  { key: 'title', label: 'Title', value: (f) => text(f.finding.title) },
  { key: 'accountId', label: 'Account', sort: 'accountId', value: (f) => f.yagura.accountId },
  { key: 'region', label: 'Region', sort: 'region', value: (f) => f.yagura.region },
  { key: 'resourceType', label: 'Resource type', value: (f) => resource(f.finding).type },
  { key: 'resource', label: 'Resource', value: (f) => resource(f.finding).id },
  { key: 'actionType', label: 'Action', value: (f) => text(at(f.finding, 'service.action.actionType')) },
  { key: 'remoteIp', label: 'Remote IP', value: (f) => remoteParty(f.finding)?.ip ?? '' },
  { key: 'count', label: 'Count', sort: 'count', value: (f) => text(at(f.finding, 'service.count')) },
  { key: 'firstSeen', label: 'First seen', sort: 'firstSeen', value: (f) => when(f.yagura.firstSeen) },
  { key: 'archived', label: 'Archived', value: (f) => (f.yagura.archived ? 'yes' : 'no') },
];

export const DEFAULT_COLUMNS = ['updatedAt', 'band', 'type', 'accountId', 'region', 'resourceType', 'remoteIp', 'count'];
