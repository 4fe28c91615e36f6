// Builds KQL filter clauses from clicked values; every value is quoted, so any text is matched literally.

export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function clause(field: string, value: string | number | boolean): string {
  return typeof value === 'string' ? `${field}:${quote(value)}` : `${field}:${String(value)}`;
}

/** Adds a clause to a query with AND, keeping the existing query grouped. */
export function addClause(query: string, c: string): string {
  const q = query.trim();
  return q === '' ? c : `(${q}) and ${c}`;
}
