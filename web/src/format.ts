// Display helpers: dates, durations and dotted paths into a finding document.

export function when(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace('T', ' ').slice(0, 19);
}

export function duration(seconds: number): string {
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

/** Reads `a.b.c` or `a.b[0].c` from a document; undefined when absent. */
export function at(doc: unknown, path: string): unknown {
  let v: unknown = doc;
  for (const part of path.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Any value as display text (objects as compact JSON). */
export function text(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
