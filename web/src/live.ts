// Live findings over Server-Sent Events, reconnecting with backoff when the server restarts or refuses.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Presented } from './api.js';

export type LiveEvent = Presented & { readonly outcome: 'created' | 'updated' | 'history' };
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'unavailable';

/**
 * Subscribes to `/api/v1/stream?q=` while not paused. `onReconnect` runs after a dropped connection comes
 * back, so the view can search again for what it missed. The browser sends the session cookie. `allowed` false
 * (the caller's policies do not allow yagura:StreamFindings) does not connect.
 */
export function useLive(query: string, paused: boolean, onEvent: (e: LiveEvent) => void, onReconnect: () => void, allowed = true): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>(paused ? 'paused' : 'connecting');
  const handlers = useRef({ onEvent, onReconnect });
  handlers.current = { onEvent, onReconnect };

  useEffect(() => {
    if (paused) {
      setStatus('paused');
      return;
    }
    // A caller not allowed to stream would only be refused, again and again.
    if (!allowed) {
      setStatus('unavailable');
      return;
    }
    let source: EventSource | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let dropped = false;
    let stopped = false;
    const connect = (): void => {
      source = new EventSource(`/api/v1/stream${query ? `?q=${encodeURIComponent(query)}` : ''}`);
      source.onopen = () => {
        setStatus('live');
        attempt = 0;
        if (dropped) handlers.current.onReconnect();
        dropped = false;
      };
      source.addEventListener('finding', (message) => {
        try {
          handlers.current.onEvent(JSON.parse((message as MessageEvent<string>).data) as LiveEvent);
        } catch {
          // A malformed event is skipped; the next search shows the truth.
        }
      });
      source.onerror = () => {
        dropped = true;
        setStatus('reconnecting');
        // The browser retries by itself after a dropped stream, but gives up after an error answer: then we do.
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          // The refusal may be an ended session: asking who is logged in shows the login form if so.
          api('/api/v1/sessions/current').catch(() => undefined);
          const delay = Math.min(30_000, 500 * 2 ** attempt++);
          timer = setTimeout(connect, delay);
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      source?.close();
    };
  }, [query, paused, allowed]);
  return status;
}
