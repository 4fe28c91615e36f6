// Small pieces the Access pages share: a list footer, comma lists, tags as text, an error line.
import { FormProblem, type Paged } from './use-paged.js';

export function ListFooter<T>({ list }: { list: Paged<T> }) {
  return (
    <div class="actions">
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.more && <button type="button" onClick={list.loadMore} disabled={list.loading}>More</button>}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">None yet.</p>}
    </div>
  );
}

export function splitNames(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function tagsText(tags: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(tags ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** `env=prod, bu=payments` → `{env: 'prod', bu: 'payments'}`; an entry without `=` is refused. */
export function parseTags(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of splitNames(text)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FormProblem(`tags: "${part}" is not key=value`);
    tags[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return tags;
}

export function Problem({ text, testId }: { text: string; testId?: string }) {
  return text ? <p class="error" role="alert" data-testid={testId}>{text}</p> : null;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
