// JSON lines from raw bytes: split on LF, and refuse a line that is not valid UTF-8 instead of altering it.
import { isUtf8 } from 'node:buffer';
import { rejection, type FindingRejection } from '../findings/finding-error.js';

/** One delivered item: its parsed JSON value, or why it could not be parsed. */
export type BodyItem = { readonly value: unknown } | { readonly error: FindingRejection };

/** Parses one JSON text; `line` names the line in the error for JSON lines. */
export function parseJsonItem(text: string, line?: number): BodyItem {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const where = line === undefined ? '' : ` on line ${line}`;
    return { error: rejection('INVALID_JSON', `malformed JSON${where}: ${(error as Error).message}`) };
  }
}

/** Parses one line's bytes; invalid UTF-8 is rejected, never replaced by U+FFFD. */
export function parseJsonLine(bytes: Buffer, line: number): BodyItem {
  if (!isUtf8(bytes)) return { error: rejection('INVALID_JSON', `line ${line} is not valid UTF-8`) };
  return parseJsonItem(bytes.toString('utf8'), line);
}

function isBlank(bytes: Buffer): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** Splits a stream of chunks into lines (CRLF tolerated), with 1-based line numbers; blank lines are skipped. */
export async function* splitLines(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, maxLineBytes: number): AsyncGenerator<{ line: number; bytes: Buffer } | { line: number; tooLong: true }> {
  let carry: Buffer[] = [];
  let carried = 0;
  let line = 0;
  let skipping = false;
  for await (const chunk of chunks) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      line++;
      const part = chunk.subarray(start, nl);
      start = nl + 1;
      if (skipping || carried + part.length > maxLineBytes) {
        yield { line, tooLong: true };
      } else {
        const bytes = carried > 0 ? Buffer.concat([...carry, part]) : part;
        if (!isBlank(bytes)) yield { line, bytes };
      }
      carry = [];
      carried = 0;
      skipping = false;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0 && !skipping) {
      if (carried + rest.length > maxLineBytes) {
        // Keep nothing of an overlong line; it is reported when its end arrives.
        carry = [];
        carried = 0;
        skipping = true;
      } else {
        carry.push(rest);
        carried += rest.length;
      }
    }
  }
  if (skipping) yield { line: line + 1, tooLong: true };
  else if (carried > 0) {
    const bytes = Buffer.concat(carry);
    if (!isBlank(bytes)) yield { line: line + 1, bytes };
  }
}
