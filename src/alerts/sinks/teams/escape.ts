// Teams text escaping: Adaptive Card TextBlocks render Markdown, so every Markdown and tag character is escaped.

/** Backslash-escapes Markdown punctuation and `<`/`>` (no `<at>` mention, no link, no emphasis survives). */
export function escapeTeams(text: string, maxLength = 1000): string {
  const clipped = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return clipped.replace(/[\\`*_{}[\]()#|~<>&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}
