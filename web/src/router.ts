// Client-side navigation: the URL holds the whole view state, so a link reproduces what the analyst sees.
import { useEffect, useState } from 'preact/hooks';

const NAVIGATED = 'yagura:navigated';

export function navigate(url: string, replace = false): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The current location, re-rendering on navigation and on back/forward. */
export function useLocation(): { path: string; params: URLSearchParams } {
  const read = (): { path: string; params: URLSearchParams } => ({ path: location.pathname, params: new URLSearchParams(location.search) });
  const [state, setState] = useState(read);
  useEffect(() => {
    const update = (): void => setState(read());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return state;
}

/** Builds `/search?...` from view state, leaving out defaults so links stay short. */
export function searchUrl(state: { q?: string; from?: string; to?: string; sort?: string; cols?: string }): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) if (v !== undefined && v !== '') params.set(k, v);
  const s = params.toString();
  return `/search${s ? `?${s}` : ''}`;
}
