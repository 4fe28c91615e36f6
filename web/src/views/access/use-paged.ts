// A paginated administration list (`{<items>: […], nextCursor}`): first page, "more", reload after a change.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api.js';

export interface Paged<T> {
  readonly items: T[];
  readonly more: boolean;
  readonly error: string;
  readonly loading: boolean;
  loadMore(): void;
  reload(): void;
}

/** A form value the page refuses before asking the server. */
export class FormProblem extends Error {}

export function errorText(e: unknown): string {
  return e instanceof ApiFailure || e instanceof FormProblem ? e.message : 'the server cannot be reached';
}

export function usePaged<T>(path: string, key: string): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const fetchPage = useCallback(async (after: string | null, append: boolean): Promise<void> => {
    setLoading(true);
    try {
      const sep = path.includes('?') ? '&' : '?';
      const page = await api<Record<string, unknown>>(`${path}${after ? `${sep}cursor=${encodeURIComponent(after)}` : ''}`);
      const list = (page[key] ?? []) as T[];
      setItems((old) => (append ? [...old, ...list] : list));
      setCursor((page['nextCursor'] as string | null | undefined) ?? null);
      setError('');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setLoading(false);
    }
  }, [path, key]);
  useEffect(() => void fetchPage(null, false), [fetchPage]);
  return { items, more: cursor !== null, error, loading, loadMore: () => void fetchPage(cursor, true), reload: () => void fetchPage(null, false) };
}
