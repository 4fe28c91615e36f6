// ARNs: the account they name, and IAM's matching of ARN patterns one colon-delimited component at a time.
import { matchGlob, type Glob, type GlobToken } from './wildcard.js';

/** `arn:partition:service:region:account:resource`; the resource part may itself hold colons. */
export function arnAccount(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return parts[4];
}

function splitValue(value: string, segments: number): string[] {
  const parts = value.split(':');
  if (parts.length <= segments) return parts;
  return [...parts.slice(0, segments - 1), parts.slice(segments - 1).join(':')];
}

/** Split patterns by pattern, kept as long as the pattern is (parsed patterns live in globOf's cache). */
const split = new WeakMap<Glob, Glob[]>();

/** An ARN pattern's colon-delimited components (at most six; the sixth keeps its colons), as IAM matches them. */
export function arnComponents(glob: Glob): Glob[] {
  const segments: GlobToken[][] = [[]];
  for (const token of glob) {
    if (token.kind !== 'text' || segments.length === 6) {
      segments[segments.length - 1]!.push(token);
      continue;
    }
    const pieces = token.text.split(':');
    pieces.forEach((piece, i) => {
      if (i > 0) {
        if (segments.length < 6) segments.push([]);
        else segments[segments.length - 1]!.push({ kind: 'text', text: ':' });
      }
      if (piece !== '') segments[segments.length - 1]!.push({ kind: 'text', text: piece });
    });
  }
  return segments;
}

/**
 * Whether `value` matches the ARN pattern: each of the six components separately, case-sensitively, so a `*` in
 * the region cannot swallow the account. A pattern with fewer components (`*`, `arn:aws:s3:*`) lets its last
 * component match the rest of the ARN.
 */
export function matchArn(pattern: Glob, value: string): boolean {
  let segments = split.get(pattern);
  if (segments === undefined) split.set(pattern, (segments = arnComponents(pattern)));
  const parts = splitValue(value, segments.length);
  if (parts.length !== segments.length) return false;
  return segments.every((segment, i) => matchGlob(segment, parts[i]!));
}
