// Slack text escaping: finding text must not mention (<!channel>, <@U…>), link (<url|label>) or format.

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Escapes Slack's control characters (`<` and `>` become entities, so no `<…>` sequence survives) and clips the
 * escaped text to Slack's field limit without splitting an entity: Slack refuses an over-long block outright,
 * which would let a finding full of `<` turn its own alert into a dead letter.
 */
export function escapeSlack(text: string, maxLength = 2000): string {
  let out = '';
  for (const ch of text) {
    const piece = ENTITIES[ch] ?? ch;
    if (out.length + piece.length > maxLength - 1) return `${out}…`;
    out += piece;
  }
  return out;
}
