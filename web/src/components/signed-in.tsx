// The header's account line: who is signed in, through which role and sign-in, and when the session ends.
import { useEffect, useState } from 'preact/hooks';
import type { Session } from '../session.js';
import { signInMethods, sourceName, type OidcMethod } from '../sign-in.js';

export function SignedIn({ session, name }: { session: Session | undefined; name: string }) {
  const [providers, setProviders] = useState<readonly OidcMethod[]>([]);
  const source = session?.roleSession?.source;
  // Only the list of providers knows the display name a source such as `oidc:corp` stands for.
  useEffect(() => {
    if (source?.startsWith('oidc:')) void signInMethods().then((m) => setProviders(m.oidc));
  }, [source]);

  const principal = session?.principal;
  const ends = session?.expiresAt ?? session?.roleSession?.expiresAt;
  return (
    <p class="who" data-testid="signed-in" title={principal?.arn} data-arn={principal?.arn}>
      <span class="sr-only">Signed in as </span>
      <span class="user" data-testid="signed-in-name">{session?.name ?? name}</span>
      {principal?.kind === 'role' && <span class="muted" data-testid="signed-in-role"> as {principal.name}</span>}
      {source !== undefined && <span class="muted" data-testid="signed-in-source"> via {sourceName(source, providers)}</span>}
      {ends !== undefined && (
        <span class="muted">
          {' · until '}
          <time dateTime={ends} title={new Date(ends).toLocaleString()} data-testid="signed-in-until">{clock(ends)}</time>
        </span>
      )}
    </p>
  );
}

/** `14:05` today, `3 Dec 14:05` on another day, in the browser's time zone. */
function clock(iso: string): string {
  const t = new Date(iso);
  const time = t.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return t.toDateString() === new Date().toDateString() ? time : `${t.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`;
}
