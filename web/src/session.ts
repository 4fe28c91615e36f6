// The signed-in principal and what it may do, from GET /api/v1/sessions/current.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Session {
  readonly name: string;
  readonly via?: 'session' | 'apiKey';
  readonly principal?: { readonly arn: string; readonly kind: 'user' | 'role'; readonly name: string };
  /** When the dashboard session ends at the latest (idle time can end it sooner). */
  readonly expiresAt?: string;
  /** Set when the session was opened from temporary credentials: an LDAP or OpenID Connect sign-in. */
  readonly roleSession?: { readonly source: string; readonly sessionName: string; readonly expiresAt: string };
  readonly permissions: Readonly<Record<string, boolean>>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session | undefined {
  return useContext(SessionContext);
}

/** Whether the server said the caller may use `action`; unknown (still loading) counts as no. */
export function can(session: Session | undefined, action: string): boolean {
  return session?.permissions[action] === true;
}
