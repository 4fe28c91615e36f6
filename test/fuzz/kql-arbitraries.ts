// Generators of KQL for fuzzing: plausible query text (often broken on purpose), canonical ASTs, and a printer.
import fc from 'fast-check';
import type { QueryNode, QueryValue, RangeOperator } from '../../src/query/ast.js';
import { CATALOG_FIELDS } from '../../src/query/fields.js';

const KEYWORDS = new Set(['and', 'or', 'not']);
const OPERATORS: readonly RangeOperator[] = ['<', '<=', '>', '>='];

/** Values that mean something to some field: bands, booleans, times, numbers, IPs, GuardDuty types, wildcards. */
const MEANINGFUL = [
  'Low', 'medium', 'HIGH', 'Critical', 'Severe', 'true', 'false', 'TRUE', 'yes',
  'now', 'now-1d', 'now-1d/d', 'now+1h', 'now/w', 'now-999999999y', '2026-11-20', '2026-11-20T08:00:00Z', '2026-11-20T08:00:00+02:00',
  '2026-02-30', '1714557600000', '7', '7.5', '-3', '1e3', '-0', '1e400', 'NaN', 'Infinity', '0x10',
  '198.51.100.7', '2001:db8::1', 'UnauthorizedAccess:EC2/TorClient', 'Recon*', 'i-0a1b2c3d4e5f60718', '9001', 'tor', 'Tor',
  "' OR 1=1 --", '"; DROP TABLE findings; --', 'NEAR(a b)', '^x', 'a AND b', '{text}:x', '%', '\u0000', '\r\n',
];

const SEGMENT_CHARS = Array.from('abcdeXYZ0129_@-éü櫓σ٣');

/** One segment of a document path (letters, digits, `_`, `@`, `-` in any script). */
const segment = fc.string({ unit: fc.constantFrom(...SEGMENT_CHARS), minLength: 1, maxLength: 6 });

/** Valid field names: catalog names (aliases included), document paths, and non-ASCII paths. */
export const fieldName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...CATALOG_FIELDS),
  fc.constantFrom('service.action.networkConnectionAction.remoteIpDetails.ipAddressV4', 'resource.instanceDetails.tags.key',
    'service.eventLastSeen', 'service.action.networkConnectionAction.remotePortDetails.port', 'a.b', '@timestamp', 'rowid', 'doc'),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.')),
);

const anyText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MEANINGFUL) },
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...Array.from(' \t\n\u00a0\u3000()":<>\\*=')), maxLength: 6 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const starless = anyText.map((t) => t.replaceAll('*', ''));

/** Text with 1 to 4 wildcards, every `*` a wildcard. */
const wildcardText = fc.array(starless, { minLength: 2, maxLength: 5 }).map((parts) => parts.join('*'));

const quotedValue: fc.Arbitrary<QueryValue> = anyText.map((text) => ({ text, quoted: true, wildcard: false }));
const plainValue: fc.Arbitrary<QueryValue> = anyText.filter((t) => t.length > 0).map((text) => ({ text, quoted: false, wildcard: false }));
const wildValue: fc.Arbitrary<QueryValue> = wildcardText.map((text) => ({ text, quoted: false, wildcard: true }));

/** A few fields, so that subtrees on one field (printable as `field:(a or b)`) come up often. */
const leafField = fc.oneof(fc.constantFrom('type', 'a.b', 'severity', 'band', 'updatedAt', 'remoteIp'), fieldName);

/** Records with Object.prototype, as the parser builds them (deepStrictEqual compares prototypes). */
const plain = { noNullPrototype: true } as const;

const leaf: fc.Arbitrary<QueryNode> = fc.oneof(
  fc.record({ kind: fc.constant('match' as const), field: leafField, value: fc.oneof(quotedValue, plainValue, wildValue.filter((v) => v.text !== '*')) }, plain),
  fc.record({ kind: fc.constant('range' as const), field: leafField, op: fc.constantFrom(...OPERATORS), value: fc.oneof(quotedValue, plainValue) }, plain),
  fc.record({ kind: fc.constant('exists' as const), field: leafField }, plain),
  fc.record({ kind: fc.constant('text' as const), value: fc.oneof(quotedValue, plainValue, wildValue) }, plain),
);

/** ASTs in the form the parser produces: and/or flattened with 2+ children, no double negation, no `all` inside. */
export const canonicalAst: fc.Arbitrary<QueryNode> = fc.letrec<{ node: QueryNode; not: QueryNode; and: QueryNode; or: QueryNode }>((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('not'), tie('and'), tie('or')),
  not: tie('node').filter((n) => n.kind !== 'not').map((child): QueryNode => ({ kind: 'not', child })),
  and: fc.array(tie('node').filter((n) => n.kind !== 'and'), { minLength: 2, maxLength: 4 }).map((children): QueryNode => ({ kind: 'and', children })),
  or: fc.array(tie('node').filter((n) => n.kind !== 'or'), { minLength: 2, maxLength: 4 }).map((children): QueryNode => ({ kind: 'or', children })),
})).node;

/** Choices the printer makes, drawn in turn from a generated list: spacing, case, escaping, parentheses. */
export class PrintStyle {
  private i = 0;
  constructor(private readonly choices: readonly boolean[]) {}
  flip(): boolean {
    return this.choices[this.i++ % this.choices.length] ?? false;
  }
  /** True about one time in four. */
  rarely(): boolean {
    return this.flip() && this.flip();
  }
}

export const printStyle = fc.array(fc.boolean(), { minLength: 1, maxLength: 97 }).map((c) => new PrintStyle(c));

function keyword(word: string, style: PrintStyle): string {
  if (style.rarely()) return word.toUpperCase();
  return style.rarely() ? `${word[0]!.toUpperCase()}${word.slice(1)}` : word;
}

/** A field name; a keyword spelled as a name gets an escape so it is not read as an operator. */
function printField(name: string): string {
  return KEYWORDS.has(name.toLowerCase()) ? `\\${name}` : name;
}

/** An unquoted word: escapes whatever the lexer would read as syntax, and sometimes more. */
function printWord(value: QueryValue, style: PrintStyle): string {
  let out = '';
  let escaped = false;
  for (let i = 0; i < value.text.length; i++) {
    const ch = value.text[i]!;
    const star = ch === '*';
    const special = /\s/.test(ch) || '()":<>\\'.includes(ch) || (star && !value.wildcard) || (i === 0 && ch === '=');
    if (special || (!star && style.rarely())) {
      out += `\\${ch}`;
      escaped = true;
    } else out += ch;
  }
  if (!escaped && KEYWORDS.has(value.text.toLowerCase())) out = `\\${out}`;
  return out;
}

function printQuoted(text: string, style: PrintStyle): string {
  let out = '';
  for (const ch of text) out += ch === '"' || ch === '\\' || style.rarely() ? `\\${ch}` : ch;
  return `"${out}"`;
}

function printValue(value: QueryValue, style: PrintStyle): string {
  return value.quoted ? printQuoted(value.text, style) : printWord(value, style);
}

function colon(style: PrintStyle): string {
  return style.rarely() ? ' : ' : style.rarely() ? ': ' : ':';
}

/** The field every leaf of `node` names, when all leaves are matches or exists checks of one field. */
function listField(node: QueryNode): string | undefined {
  switch (node.kind) {
    case 'match':
    case 'exists':
      return node.field;
    case 'not':
      return listField(node.child);
    case 'and':
    case 'or': {
      const fields = node.children.map(listField);
      return fields.every((f) => f !== undefined && f === fields[0]) ? fields[0] : undefined;
    }
    default:
      return undefined;
  }
}

/** Prints `node` as KQL that parses back to it. `inList` prints leaves as bare values of a `field:( … )` list. */
export function printQuery(node: QueryNode, style: PrintStyle, inList = false): string {
  const text = printNode(node, style, inList);
  return !inList && style.rarely() ? `(${text})` : text;
}

function printNode(node: QueryNode, style: PrintStyle, inList: boolean): string {
  if (!inList && node.kind !== 'match' && node.kind !== 'exists') {
    const field = listField(node);
    if (field !== undefined && style.flip()) return `${printField(field)}${colon(style)}(${printQuery(node, style, true)})`;
  }
  switch (node.kind) {
    case 'all':
      return '';
    case 'match':
      return inList ? printValue(node.value, style) : `${printField(node.field)}${colon(style)}${printValue(node.value, style)}`;
    case 'exists':
      return inList ? '*' : `${printField(node.field)}${colon(style)}*`;
    case 'range': {
      const space = style.flip() ? ' ' : '';
      return `${printField(node.field)}${space}${node.op}${space}${printValue(node.value, style)}`;
    }
    case 'text':
      return printValue(node.value, style);
    case 'not': {
      const child = printQuery(node.child, style, inList);
      return `${keyword('not', style)} ${node.child.kind === 'and' || node.child.kind === 'or' ? `(${child})` : child}`;
    }
    case 'and':
      return node.children
        .map((c) => (c.kind === 'or' ? `(${printQuery(c, style, inList)})` : printQuery(c, style, inList)))
        .reduce((out, c) => `${out}${style.rarely() ? ' ' : ` ${keyword('and', style)} `}${c}`);
    case 'or':
      return node.children.map((c) => printQuery(c, style, inList)).join(` ${keyword('or', style)} `);
  }
}

// ---- plausible query text, broken on purpose now and then --------------------------------------------

const space = fc.constantFrom(' ', '  ', '\t', '\n', '\u00a0', '\u3000');
const junkField = fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('a/b', '*:x', '"q"', 'and', 'f.', '.f', 'a..b'));
const plainly = new PrintStyle([false]);
/** Values as a careful user types them: escaped words, escaped quoted strings, wildcards. */
const singleValue = fc.oneof(
  anyText.map((t) => printWord({ text: t || 'x', quoted: false, wildcard: false }, plainly)),
  anyText.map((t) => printQuoted(t, plainly)),
  fc.constantFrom('7', 'now-1d/d', 'High', 'true'),
);
const cleanValue = fc.oneof(
  singleValue,
  wildcardText.filter((t) => t !== '*').map((t) => printWord({ text: t, quoted: false, wildcard: true }, plainly)),
  fc.constantFrom('*', 'Recon*'),
);
/** Values as they are pasted: raw text with quotes, parentheses and backslashes in it. */
const rawValue = fc.oneof(anyText, anyText.map((t) => `"${t}"`), fc.constantFrom('a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*q*', '\\', '"', '(', ')'));
const colonOp = fc.constantFrom(':', ' : ', ': ');
const rangeOp = fc.constantFrom('<', '<=', '>', '>=', ' >= ', ' < ');
const operator = fc.oneof(colonOp, rangeOp);
const kw = (w: string): fc.Arbitrary<string> => fc.constantFrom(w, w.toUpperCase(), `${w[0]!.toUpperCase()}${w.slice(1)}`);

const cleanTerm: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fieldName.map(printField), colonOp, cleanValue).map((p) => p.join('')),
  fc.tuple(fieldName.map(printField), rangeOp, singleValue).map((p) => p.join('')),
  fc.tuple(fieldName.map(printField), fc.array(cleanValue, { minLength: 1, maxLength: 3 }), kw('or')).map(([f, vs, or]) => `${f}:(${vs.join(` ${or} `)})`),
  fieldName.map((f) => `${printField(f)}:*`),
  cleanValue,
);

const term: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: cleanTerm },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(fieldName, junkField), operator, fc.oneof(cleanValue, rawValue)).map((p) => p.join('')) },
  { weight: 1, arbitrary: rawValue },
);

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    term,
    fc.tuple(kw('not'), space, tie('expr')).map((p) => p.join('')),
    tie('expr').map((e) => `(${e})`),
    fc.tuple(tie('expr'), space, fc.oneof(kw('and'), kw('or')), space, tie('expr')).map((p) => p.join('')),
    fc.tuple(tie('expr'), space, tie('expr')).map((p) => p.join('')),
  ),
})).expr;

/** KQL as people (and attackers) type it: mostly well-formed, sometimes cut or with a stray syntax character. */
export const kqlText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: expression },
  {
    weight: 1,
    arbitrary: fc.tuple(expression, fc.nat(), fc.constantFrom('(', ')', '"', '\\', ':', '<', '>', '*', ' not ', ' or ')).map(([e, at, ch]) => {
      const i = at % (e.length + 1);
      return `${e.slice(0, i)}${ch}${e.slice(i)}`;
    }),
  },
  { weight: 1, arbitrary: fc.tuple(expression, fc.nat()).map(([e, at]) => e.slice(0, at % (e.length + 1))) },
);

/** Terms any value fits: text columns and remote parties (document paths are capped at 128 per query). */
const textField = fc.constantFrom('type', 'title', 'id', 'accountId', 'region', 'arn', 'resourceType', 'actionType', 'remoteIp', 'remoteCountry', 'remoteOrg');
const fittingTerm: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(textField, colonOp, cleanValue).map((p) => p.join('')),
  fc.tuple(textField, rangeOp, singleValue).map((p) => p.join('')),
  textField.map((f) => `${f}:*`),
  cleanValue,
);

/** Long queries near the limits: hundreds of terms, and nesting close to 64 levels. */
export const bigKqlText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.array(fittingTerm, { minLength: 50, maxLength: 600 }), fc.oneof(kw('and'), kw('or'))).map(([terms, op]) => terms.join(` ${op} `)),
  fc.array(fc.tuple(cleanTerm, fc.oneof(kw('and'), kw('or'), fc.constant(''))), { minLength: 50, maxLength: 300 }).map((ts) => ts.map(([t, op]) => `${t} ${op} `).join('').replace(/ \S* $/, '')),
  fc.tuple(fc.integer({ min: 55, max: 70 }), cleanTerm, fc.boolean()).map(([depth, t, not]) => `${(not ? 'not (' : '(').repeat(depth)}${t}${')'.repeat(depth)}`),
);
