// The signed-in principal and what it may do, from GET /api/v1/sessions/current.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export interface Session {
  readonly name: string;
  readonly principal?: { readonly arn: string; readonly kind: 'user' | 'role'; readonly name: string };
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
