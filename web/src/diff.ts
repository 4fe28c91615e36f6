// What changed between two versions of a finding: the JSON paths whose values differ, as text.

export interface Change {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

const MAX_CHANGES = 200;

export function diffJson(before: unknown, after: unknown, path = '', out: Change[] = []): Change[] {
  if (out.length >= MAX_CHANGES) return out;
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      const child = Array.isArray(before) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
      const b = (before as Record<string, unknown>)[key];
      const a = (after as Record<string, unknown>)[key];
      if (!(key in before)) out.push({ path: child, after: a });
      else if (!(key in after)) out.push({ path: child, before: b });
      else diffJson(b, a, child, out);
    }
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path || '(document)', before, after });
  return out;
}

function isContainer(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** A short one-line rendering of a value for the timeline. */
export function brief(v: unknown): string {
  if (v === undefined) return '∅';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}
