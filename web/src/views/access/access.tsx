// The Access area: a sub-menu of the pages the caller may use, and the page for the current path.
import type { ComponentChildren } from 'preact';
import { navigate } from '../../router.js';
import { can, useSession } from '../../session.js';
import { AuditPage } from './audit.js';
import { CatalogPage } from './catalog.js';
import { KeysPage } from './keys.js';
import { NotAllowed } from './not-allowed.js';
import { ACCESS_PAGES } from './pages.js';
import { PoliciesPage } from './policies.js';
import { PrincipalsPage } from './principals.js';
import { SimulatorPage } from './simulator.js';

function page(path: string): ComponentChildren {
  switch (path) {
    case '/access/users': return <PrincipalsPage kind="users" />;
    case '/access/groups': return <PrincipalsPage kind="groups" />;
    case '/access/roles': return <PrincipalsPage kind="roles" />;
    case '/access/keys': return <KeysPage />;
    case '/access/policies': return <PoliciesPage />;
    case '/access/catalog': return <CatalogPage />;
    case '/access/simulator': return <SimulatorPage />;
    case '/access/audit': return <AuditPage />;
    default: return null;
  }
}

/** The first Access page the caller may use, for the top menu's link; undefined hides the menu. */
export function firstAccessPage(permissions: (action: string) => boolean): string | undefined {
  return ACCESS_PAGES.find((p) => permissions(p.action))?.path;
}

export function Access({ path }: { path: string }) {
  const session = useSession();
  const allowed = ACCESS_PAGES.filter((p) => can(session, p.action));
  const current = ACCESS_PAGES.find((p) => p.path === path);
  if (session === undefined) return <p class="muted">Loading…</p>;
  const body = current === undefined ? <p class="muted">There is no such page.</p> : can(session, current.action) ? page(path) : <NotAllowed action={current.action} />;
  return (
    <div class="access">
      {allowed.length > 0 && (
        <nav class="access-nav" aria-label="Access">
          {allowed.map((p) => (
            <a href={p.path} aria-current={p.path === path ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(p.path); }}>{p.label}</a>
          ))}
        </nav>
      )}
      {body}
    </div>
  );
}
