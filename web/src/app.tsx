// The dashboard shell: who is signed in (and how, until when), navigation, theme, live pause, and the `/` shortcut.
import { useEffect, useState } from 'preact/hooks';
import { api, setUnauthenticatedHandler } from './api.js';
import { SignedIn } from './components/signed-in.js';
import { navigate, useLocation } from './router.js';
import { can, SessionContext, type Session } from './session.js';
import { Access, firstAccessPage } from './views/access/access.js';
import { Alerts } from './views/alerts.js';
import { FindingView } from './views/finding.js';
import { Login } from './views/login.js';
import { Overview } from './views/overview.js';
import { Search } from './views/search.js';

type Theme = 'light' | 'dark';

function initialTheme(): Theme {
  const saved = localStorage.getItem('yagura-theme');
  if (saved === 'light' || saved === 'dark') return saved;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export interface Shared {
  readonly dark: boolean;
  readonly paused: boolean;
}

export function App() {
  // Unknown until the server answers; the views load meanwhile (one round trip less before the overview draws)
  // and any 401 from them shows the login form.
  const [user, setUser] = useState<string | null | undefined>(undefined);
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const [paused, setPaused] = useState(false);
  const { path } = useLocation();

  useEffect(() => {
    // Alert messages link to `${publicUrl}/#/findings/…`: show that finding.
    if (location.hash.startsWith('#/findings/')) navigate(location.hash.slice(1), true);
  }, []);
  useEffect(() => {
    setUnauthenticatedHandler(() => setUser(null));
  }, []);
  // Who is logged in and what it may do, again after every login (another user may log in on this page).
  useEffect(() => {
    if (user === null) return setSession(undefined);
    api<Session>('/api/v1/sessions/current').then((s) => { setSession(s); setUser(s.name); }, () => setUser(null));
  }, [user === null]);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
    localStorage.setItem('yagura-theme', theme);
  }, [theme]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement;
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
      e.preventDefault();
      const input = document.getElementById('query');
      if (input) input.focus();
      else navigate('/search?focus=1');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (user === null) return <Login onLogin={(name) => setUser(name)} />;

  const logout = async (): Promise<void> => {
    await api('/api/v1/sessions/current', { method: 'DELETE' }).catch(() => undefined);
    setUser(null);
  };
  const shared: Shared = { dark: theme === 'dark', paused };
  const accessHome = firstAccessPage((action) => can(session, action));
  const link = (href: string, label: string, active: boolean) => (
    <a href={href} aria-current={active ? 'page' : undefined} onClick={(e) => { e.preventDefault(); navigate(href); }}>{label}</a>
  );
  return (
    <div class="shell">
      <header class="top" role="banner">
        <span class="brand">Yagura</span>
        <nav aria-label="Views">
          {link('/', 'Overview', path === '/')}
          {link('/search', 'Search', path === '/search')}
          {link('/alerts', 'Alerts', path === '/alerts')}
          {accessHome && link(accessHome, 'Access', path.startsWith('/access/'))}
        </nav>
        <span class="spacer" />
        <button type="button" class={paused ? 'toggle on' : 'toggle'} aria-pressed={paused} onClick={() => setPaused(!paused)} data-testid="pause">
          {paused ? 'Resume live' : 'Pause live'}
        </button>
        <button type="button" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <SignedIn session={session} name={user ?? ''} />
        <button type="button" onClick={logout}>Log out</button>
      </header>
      <main>
        <SessionContext.Provider value={session}>
        {path.startsWith('/access/') ? <Access path={path} /> : path === '/search' ? <Search {...shared} /> : path === '/alerts' ? <Alerts /> : path.startsWith('/findings/') ? <FindingView path={path} {...shared} /> : <Overview {...shared} />}
        </SessionContext.Provider>
      </main>
    </div>
  );
}
