// Slack text escaping: finding text must not mention (<!channel>, <@U…>), link (<url|label>) or format.

/** Escapes Slack's control characters; `<` and `>` become entities, so no `<…>` sequence survives. */
export function escapeSlack(text: string, maxLength = 2000): string {
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return clipped.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
