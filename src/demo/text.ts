// Titles and descriptions of demo findings, worded the way GuardDuty words them.
import type { FindingTypeSpec } from './catalog.js';

/** Values for the placeholders of a catalogue title. */
export interface TitleVars {
  readonly res: string;
  readonly kind: string;
  readonly ip: string;
  readonly domain: string;
  readonly api: string;
  readonly user: string;
  readonly src: string;
  readonly dst: string;
  readonly port: string;
  readonly risks: string;
}

const PLACEHOLDER = /\{(res|kind|ip|domain|api|user|src|dst|port|risks)\}/;

/** A title template split once into literal text (even indexes) and placeholder names (odd indexes). */
export type CompiledTitle = readonly string[];

/** Splits a catalogue title once, so rendering it for each finding is plain concatenation. */
export function compileTitle(template: string): CompiledTitle {
  return template.split(PLACEHOLDER);
}

/** Fills a compiled title template. */
export function renderTitle(title: CompiledTitle, vars: TitleVars): string {
  let out = title[0] ?? '';
  for (let i = 1; i < title.length; i += 2) out += vars[title[i] as keyof TitleVars] + (title[i + 1] ?? '');
  return out;
}

/** Why a finding of each threat purpose matters, the second half of GuardDuty's descriptions. */
const PURPOSE: Readonly<Record<string, string>> = {
  Backdoor: 'This can indicate that the resource is compromised and is being controlled by an attacker.',
  Behavior: 'This behavior deviates from the established baseline for this resource.',
  CredentialAccess: 'This can indicate an attempt to obtain credentials or secrets in your AWS environment.',
  CryptoCurrency: 'This can indicate unauthorized cryptocurrency mining on your resources.',
  DefenseEvasion: 'This can indicate an attempt to evade detection in your AWS environment.',
  Discovery: 'This can indicate reconnaissance of your AWS environment by an adversary.',
  Execution: 'This can indicate that an adversary is running code in your AWS environment.',
  Exfiltration: 'This can indicate an attempt to remove data from your AWS environment.',
  Impact: 'This can indicate an attempt to tamper with data or resources in your AWS environment.',
  InitialAccess: 'This can indicate an attempt to gain initial access to your AWS environment.',
  PenTest: 'Penetration testing tools are used by authorized testers and attackers alike.',
  Persistence: 'This can indicate an attempt to maintain access to your AWS environment.',
  Policy: 'This change can weaken the security posture of your account.',
  PrivilegeEscalation: 'This can indicate an attempt to gain higher-level permissions.',
  Recon: 'This is a common reconnaissance technique used to find weaknesses in your environment.',
  Stealth: 'This can indicate an attempt to cover tracks by disabling logging or weakening controls.',
  Trojan: 'This can indicate that the resource is compromised by malware.',
  UnauthorizedAccess: 'This can indicate unauthorized access to your AWS resources.',
};

/** A description: the title, the remote party or domain when the title does not name it, and why it matters. */
export function renderDescription(spec: FindingTypeSpec, title: string, vars: TitleVars, signals: number): string {
  if (spec.detail === 'sequence') {
    return `A sequence of actions involving ${signals} signals indicating a possible compromise was observed for ${vars.user || vars.res} between eventFirstSeen and eventLastSeen. Review the signals in the attack sequence details.`;
  }
  const purpose = PURPOSE[spec.type.slice(0, spec.type.indexOf(':'))] ?? '';
  let text = title;
  if (vars.ip !== '' && !title.includes(vars.ip)) text += ` The remote host is ${vars.ip}.`;
  if (vars.domain !== '') text += ` The queried domain is ${vars.domain}.`;
  return purpose === '' ? text : `${text} ${purpose}`;
}
