// IAM's condition operators in one table: how each family checks its policy values and matches a request value.
import { BlockList, isIP } from 'node:net';
import { matchArn } from './arn.js';
import { globText, matchGlob, type Glob } from './wildcard.js';

export type Family = 'String' | 'Numeric' | 'Date' | 'Bool' | 'Binary' | 'IpAddress' | 'Arn' | 'Null';

export interface OperatorDef {
  readonly family: Family;
  /** Negated operators (StringNotEquals, NotIpAddress, …) are true when no policy value matches. */
  readonly negated: boolean;
  /** Whether policy values may hold policy variables (IAM: String, Bool and ARN operators). */
  readonly variables: boolean;
  /** Whether `*` and `?` in policy values are wildcards. */
  readonly wildcards: boolean;
  /** Whether one request value matches one (resolved) policy value, before negation. */
  readonly match: (requestValue: string, policyValue: Glob) => boolean;
}

const EPOCH = /^-?\d+(\.\d+)?$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Milliseconds since the epoch for ISO 8601 text or epoch seconds, as IAM's date operators read them. */
export function parseDate(text: string): number | undefined {
  if (EPOCH.test(text)) return Number(text) * 1000;
  if (!ISO_8601.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseNumber(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function cidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  const version = isIP(address);
  if (version === 0 || extra !== undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** Address ranges by their policy text, built once: a policy set names few ranges and every request checks them. */
const ranges = new Map<string, BlockList | null>();
const MAX_RANGES = 10_000;

function blockListOf(range: string): BlockList | null {
  let list = ranges.get(range);
  if (list !== undefined) return list;
  const net = cidr(range);
  list = null;
  if (net) {
    list = new BlockList();
    list.addSubnet(net.address, net.prefix, net.family);
  }
  if (ranges.size >= MAX_RANGES) ranges.clear();
  ranges.set(range, list);
  return list;
}

function inCidr(ip: string, range: string): boolean {
  const version = isIP(ip);
  const list = version === 0 ? null : blockListOf(range);
  return list !== null && list.check(ip, version === 4 ? 'ipv4' : 'ipv6');
}

function compareWith(parse: (t: string) => number | undefined, test: (a: number, b: number) => boolean) {
  return (requestValue: string, policyValue: Glob): boolean => {
    const a = parse(requestValue);
    const b = parse(globText(policyValue));
    return a !== undefined && b !== undefined && test(a, b);
  };
}

const ordered = {
  Equals: (a: number, b: number) => a === b,
  LessThan: (a: number, b: number) => a < b,
  LessThanEquals: (a: number, b: number) => a <= b,
  GreaterThan: (a: number, b: number) => a > b,
  GreaterThanEquals: (a: number, b: number) => a >= b,
};

function op(family: Family, match: OperatorDef['match'], extra: Partial<OperatorDef> = {}): OperatorDef {
  return { family, negated: false, variables: false, wildcards: false, match, ...extra };
}

const stringEquals = (r: string, p: Glob): boolean => r === globText(p);
const stringEqualsIgnoreCase = (r: string, p: Glob): boolean => r.toLowerCase() === globText(p).toLowerCase();
const stringLike = (r: string, p: Glob): boolean => matchGlob(p, r);
const str = { variables: true };
const like = { variables: true, wildcards: true };
const neg = { negated: true };

function numeric(name: keyof typeof ordered): OperatorDef['match'] {
  return compareWith(parseNumber, ordered[name]);
}
function date(name: keyof typeof ordered): OperatorDef['match'] {
  return compareWith(parseDate, ordered[name]);
}

/** Every operator IAM defines; `…IfExists` and the set qualifiers are read around these names. */
export const OPERATORS: Readonly<Record<string, OperatorDef>> = {
  StringEquals: op('String', stringEquals, str),
  StringNotEquals: op('String', stringEquals, { ...str, ...neg }),
  StringEqualsIgnoreCase: op('String', stringEqualsIgnoreCase, str),
  StringNotEqualsIgnoreCase: op('String', stringEqualsIgnoreCase, { ...str, ...neg }),
  StringLike: op('String', stringLike, like),
  StringNotLike: op('String', stringLike, { ...like, ...neg }),
  NumericEquals: op('Numeric', numeric('Equals')),
  NumericNotEquals: op('Numeric', numeric('Equals'), neg),
  NumericLessThan: op('Numeric', numeric('LessThan')),
  NumericLessThanEquals: op('Numeric', numeric('LessThanEquals')),
  NumericGreaterThan: op('Numeric', numeric('GreaterThan')),
  NumericGreaterThanEquals: op('Numeric', numeric('GreaterThanEquals')),
  DateEquals: op('Date', date('Equals')),
  DateNotEquals: op('Date', date('Equals'), neg),
  DateLessThan: op('Date', date('LessThan')),
  DateLessThanEquals: op('Date', date('LessThanEquals')),
  DateGreaterThan: op('Date', date('GreaterThan')),
  DateGreaterThanEquals: op('Date', date('GreaterThanEquals')),
  Bool: op('Bool', (r, p) => r.toLowerCase() === globText(p).toLowerCase(), str),
  BinaryEquals: op('Binary', (r, p) => BASE64.test(r) && Buffer.from(r, 'base64').equals(Buffer.from(globText(p), 'base64'))),
  IpAddress: op('IpAddress', (r, p) => inCidr(r, globText(p))),
  NotIpAddress: op('IpAddress', (r, p) => inCidr(r, globText(p)), neg),
  ArnEquals: op('Arn', (r, p) => matchArn(p, r), like),
  ArnLike: op('Arn', (r, p) => matchArn(p, r), like),
  ArnNotEquals: op('Arn', (r, p) => matchArn(p, r), { ...like, ...neg }),
  ArnNotLike: op('Arn', (r, p) => matchArn(p, r), { ...like, ...neg }),
  // Null is decided by presence alone (see evaluate-condition.ts); its values are "true" or "false".
  Null: op('Null', () => false),
};

/** Why a policy value does not suit the operator's family, or undefined when it does. */
export function checkValue(family: Family, value: string): string | undefined {
  switch (family) {
    case 'Numeric':
      return parseNumber(value) === undefined ? `${JSON.stringify(value)} is not a number` : undefined;
    case 'Date':
      return parseDate(value) === undefined ? `${JSON.stringify(value)} is not a date (ISO 8601, e.g. 2026-12-01T10:00:00Z, or epoch seconds)` : undefined;
    case 'Bool':
      return /^(true|false)$/i.test(value) || value.includes('${') ? undefined : `${JSON.stringify(value)} is not "true" or "false"`;
    case 'Null':
      return /^(true|false)$/i.test(value) ? undefined : `${JSON.stringify(value)} is not "true" or "false"`;
    case 'Binary':
      return BASE64.test(value) && value !== '' ? undefined : `${JSON.stringify(value)} is not base64`;
    case 'IpAddress':
      return cidr(value) ? undefined : `${JSON.stringify(value)} is not an IP address or CIDR range`;
    case 'Arn':
    case 'String':
      return undefined;
  }
}
