// Tables on stdout: colour only on a terminal, fitted to its width; piped, every cell in full and no escapes.
import Table from 'cli-table3';

/** How a table may be drawn: with colour, and at most `width` columns wide (undefined: as wide as its cells). */
export interface TableOutput {
  readonly color: boolean;
  readonly width?: number;
}

/** What a long cell becomes when the table must shrink: cut with an ellipsis, or wrapped onto more lines. */
export type Overflow = 'truncate' | 'wrap';

/** Narrowest a column shrinks to: padding, two characters and the ellipsis. */
const MIN_COLUMN = 5;

/**
 * Colour when `isTTY`, as tools agree: FORCE_COLOR (unless 0 or false) turns it on and wins, as in Node itself;
 * a non-empty NO_COLOR turns it off (no-color.org).
 */
export function colorWanted(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  return isTTY;
}

/** The table output for a stream: a terminal gives colour and its width; a pipe or file gives neither. */
export function tableOutput(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): TableOutput {
  const tty = stream.isTTY === true;
  return { color: colorWanted(tty, env), ...(tty && stream.columns > 0 && { width: stream.columns }) };
}

/**
 * Column widths (padding included) whose table, borders included, fits `available` characters: the widest column
 * gives way first, down to the next widest, and so on; none goes below MIN_COLUMN (nor above its natural width),
 * so a table with too many columns stays wider than asked.
 */
export function fitWidths(natural: readonly number[], available: number): number[] {
  const widths = [...natural];
  const borders = widths.length + 1;
  let excess = widths.reduce((sum, w) => sum + w, 0) + borders - available;
  while (excess > 0) {
    let widest = -1;
    for (const [i, w] of widths.entries()) if (w > MIN_COLUMN && (widest < 0 || w > widths[widest]!)) widest = i;
    if (widest < 0) break;
    const next = Math.max(MIN_COLUMN, ...widths.filter((_, i) => i !== widest));
    const cut = Math.min(excess, widths[widest]! - next || 1);
    widths[widest]! -= cut;
    excess -= cut;
  }
  return widths;
}

/** Draws `rows` under `head`; cells must already be terminal-safe text. */
export function renderTable(head: readonly string[], rows: ReadonlyArray<readonly string[]>, output: TableOutput, overflow: Overflow): string {
  const style = output.color ? {} : { head: [], border: [] };
  const draw = (colWidths?: number[]): InstanceType<typeof Table> => {
    const table = new Table({ head: [...head], style, ...(colWidths && { colWidths, wordWrap: overflow === 'wrap' }) });
    for (const row of rows) table.push([...row]);
    return table;
  };
  const natural = draw();
  const text = natural.toString();
  if (output.width === undefined) return text;
  // cli-table3 leaves the widths it measured (padding included) in its options once drawn.
  const measured = natural.options.colWidths.map((w) => w ?? MIN_COLUMN);
  const fitted = fitWidths(measured, output.width);
  return fitted.every((w, i) => w === measured[i]) ? text : draw(fitted).toString();
}
