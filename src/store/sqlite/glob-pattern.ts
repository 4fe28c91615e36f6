// KQL wildcards as SQLite GLOB patterns.

/** A GLOB pattern where `*` is the wildcard and every other GLOB metacharacter is literal. */
export function globPattern(text: string): string {
  return text.replace(/[[\]?]/g, (c) => `[${c}]`);
}
