// Distinguished names (RFC 4514) parsed and normalised, so a role map matches a DN however it is cased or spaced.
// ldapts builds DNs but does not parse them, hence this small parser.

export interface DnAttribute {
  /** Attribute type, lower-cased: `cn`, `ou`, or a numeric OID. */
  readonly type: string;
  /** The value, unescaped; for a BER value (`cn=#0403616263`), the hex digits lower-cased, with their `#`. */
  readonly value: string;
  readonly ber: boolean;
}

/** A DN as its RDNs, leftmost first; each RDN holds one or more attribute-value pairs (`cn=a+uid=b`). */
export type ParsedDn = ReadonlyArray<ReadonlyArray<DnAttribute>>;

const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
/** Characters RFC 4514 lets a backslash escape. */
const ESCAPABLE = new Set([' ', '"', '#', '+', ',', ';', '<', '=', '>', '\\']);

/** Parses an RFC 4514 DN; undefined when it is not one. The empty string is the empty DN (no RDNs). */
export function parseDn(dn: string): ParsedDn | undefined {
  if (dn.trim() === '') return [];
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let i = 0;
  for (;;) {
    const equals = dn.indexOf('=', i);
    if (equals < 0) return undefined;
    const type = dn.slice(i, equals).trim();
    if (!TYPE.test(type)) return undefined;
    const value = readValue(dn, equals + 1);
    if (value === undefined) return undefined;
    rdn.push({ type: type.toLowerCase(), value: value.text, ber: value.ber });
    i = value.end;
    if (i >= dn.length) break;
    if (dn[i] === ',') {
      rdns.push(rdn);
      rdn = [];
    }
    i += 1;
  }
  rdns.push(rdn);
  return rdns;
}

/** Reads a value from `start` up to an unescaped `,` or `+` (or the end); `end` is that separator's index. */
function readValue(dn: string, start: number): { text: string; ber: boolean; end: number } | undefined {
  let i = start;
  while (dn[i] === ' ') i += 1;
  if (dn[i] === '#') {
    const m = /^#((?:[0-9A-Fa-f]{2})+)\s*(?=[,+]|$)/.exec(dn.slice(i));
    return m ? { text: `#${m[1]!.toLowerCase()}`, ber: true, end: i + m[0].length } : undefined;
  }
  const bytes: number[] = [];
  // Bytes up to the last escaped or non-space character: unescaped trailing spaces are not part of the value.
  let significant = 0;
  while (i < dn.length && dn[i] !== ',' && dn[i] !== '+') {
    const c = dn[i]!;
    if (c === '\\') {
      const next = dn[i + 1];
      const pair = dn.slice(i + 1, i + 3);
      if (HEX_PAIR.test(pair)) {
        bytes.push(Number.parseInt(pair, 16));
        i += 3;
      } else if (next !== undefined && ESCAPABLE.has(next)) {
        bytes.push(next.charCodeAt(0));
        i += 2;
      } else {
        return undefined;
      }
      significant = bytes.length;
      continue;
    }
    if (c === '\0') return undefined;
    const codePoint = dn.codePointAt(i)!;
    const char = String.fromCodePoint(codePoint);
    bytes.push(...Buffer.from(char, 'utf8'));
    if (c !== ' ') significant = bytes.length;
    i += char.length;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes.slice(0, significant)));
    return { text, ber: false, end: i };
  } catch {
    return undefined;
  }
}

/**
 * The DN in one canonical spelling: attribute types and values lower-cased, spaces around `,`, `=` and `+` and
 * runs of inner spaces ignored, escapes resolved and re-applied one way, multi-valued RDNs sorted. Two DNs that
 * a directory with case-insensitive naming attributes (OpenLDAP's cn/ou/dc/uid, Active Directory) treats as
 * the same have the same normal form. Undefined when the text is not a DN.
 */
export function normalizeDn(dn: string): string | undefined {
  const parsed = parseDn(dn);
  if (parsed === undefined) return undefined;
  return parsed
    .map((rdn) =>
      rdn
        .map((a) => `${a.type}=${a.ber ? a.value : escapeValue(a.value.toLowerCase().replace(/\s+/g, ' '))}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/** True when both texts are DNs naming the same entry (see normalizeDn). */
export function sameDn(a: string, b: string): boolean {
  const x = normalizeDn(a);
  return x !== undefined && x === normalizeDn(b);
}

/** Escapes a value as RFC 4514 section 2.4 says, so that a normal form can be parsed back. */
function escapeValue(value: string): string {
  return value
    .replace(/[\\"+,;<=>]/g, (c) => `\\${c}`)
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ');
}
