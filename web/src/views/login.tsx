// The login page: an OpenID Connect provider, a user name and password (Yagura user or LDAP/AD), or an API key.
// Every way ends in the same session cookie; a provider's sign-in leaves the page and comes back to it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiFailure, sessionStarted } from '../api.js';
import { navigate } from '../router.js';
import { BASIC_METHODS, providerStart, returnedFailure, ROLE_NAME, rolesToChoose, signInMethods, type OidcMethod, type SignInMethods } from '../sign-in.js';

type Directory = 'ldap' | 'local';
type Busy = '' | 'password' | 'key' | `oidc:${string}`;

export function Login({ onLogin }: { onLogin: (name: string) => void }) {
  const [methods, setMethods] = useState<SignInMethods | undefined>(undefined);
  const [picked, setPicked] = useState<Directory | undefined>(undefined);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [key, setKey] = useState('');
  const [role, setRole] = useState('');
  const [roles, setRoles] = useState<readonly string[]>([]);
  const [roleOpen, setRoleOpen] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState<Busy>('');
  const roleField = useRef<HTMLInputElement & HTMLSelectElement>(null);

  useEffect(() => {
    void signInMethods().then((m) => {
      setMethods(m);
      // A provider's sign-in that failed comes back here with the reason in the URL: word it, then drop it.
      if (location.pathname !== '/login') return;
      const failure = returnedFailure(new URLSearchParams(location.search), m.oidc);
      if (failure === undefined) return;
      setError(failure.message);
      if (failure.roles) askForRole(failure.roles);
      navigate('/', true);
    });
  }, []);
  useEffect(() => {
    if (roleOpen && roles.length > 0) roleField.current?.focus();
  }, [roleOpen, roles]);

  const offered = methods ?? BASIC_METHODS;
  const directory: Directory = picked ?? (offered.ldap ? 'ldap' : 'local');
  const roleApplies = directory === 'ldap' || offered.oidc.length > 0;

  function askForRole(choices: readonly string[]): void {
    setRoles(choices);
    setRole((r) => (choices.includes(r) ? r : ''));
    setRoleOpen(true);
  }

  /** The role typed or chosen, when it is one the server would accept; otherwise says why and answers undefined. */
  const chosenRole = (): string | undefined => {
    const r = role.trim();
    if (r !== '' && !ROLE_NAME.test(r)) {
      setError('A role name has 1 to 64 letters, digits and + = , . @ _ - characters.');
      return undefined;
    }
    return r;
  };

  const signIn = async (kind: 'password' | 'key', body: Record<string, string>): Promise<void> => {
    setBusy(kind);
    setError('');
    try {
      const s = await api<{ name: string }>('/api/v1/sessions', { method: 'POST', body });
      sessionStarted();
      if (location.pathname === '/login') navigate('/', true);
      onLogin(s.name);
    } catch (err) {
      if (!(err instanceof ApiFailure)) return setError('The server cannot be reached.');
      const choices = err.code === 'INVALID_SIGN_IN' ? rolesToChoose(err.message) : undefined;
      if (choices) {
        askForRole(choices);
        setError(`Your account may use several roles (${choices.join(', ')}). Choose one and sign in again.`);
      } else {
        setError(sentence(err.message));
      }
    } finally {
      setBusy('');
    }
  };

  const submitPassword = (e: Event): void => {
    e.preventDefault();
    if (directory === 'local') return void signIn('password', { username: username.trim(), password });
    const r = chosenRole();
    if (r === undefined) return;
    void signIn('password', { ldapUsername: username.trim(), ldapPassword: password, ...(r !== '' && { role: r }) });
  };
  const submitKey = (e: Event): void => {
    e.preventDefault();
    void signIn('key', { apiKey: key.trim() });
  };
  const withProvider = (p: OidcMethod): void => {
    const r = chosenRole();
    if (r === undefined) return;
    setError('');
    setBusy(`oidc:${p.id}`);
    // A full-page navigation: the provider signs the person in and sends them back with the session cookie set.
    location.assign(providerStart(p, r));
  };

  const roleTargets = [...(directory === 'ldap' ? ['LDAP'] : []), ...offered.oidc.map((p) => p.displayName)];
  return (
    <main class="login" aria-busy={busy !== ''}>
      <div class="login-card">
        <h1 id="login-title">Yagura</h1>
        {offered.oidc.length > 0 && (
          <section class="providers" aria-label="Identity providers">
            {offered.oidc.map((p) => (
              <button type="button" key={p.id} disabled={busy !== ''} onClick={() => withProvider(p)}>
                {busy === `oidc:${p.id}` ? `Going to ${p.displayName}…` : `Sign in with ${p.displayName}`}
              </button>
            ))}
          </section>
        )}
        {offered.password && (
          <form id="password-form" onSubmit={submitPassword}>
            {offered.ldap && (
              <fieldset class="directory">
                <legend>Account</legend>
                <label><input type="radio" name="directory" value="ldap" checked={directory === 'ldap'} onChange={() => setPicked('ldap')} /> LDAP / Active Directory</label>
                <label><input type="radio" name="directory" value="local" checked={directory === 'local'} onChange={() => setPicked('local')} /> Yagura user</label>
              </fieldset>
            )}
            <label for="username">User name</label>
            <input id="username" name="username" autocomplete="username" required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
            <button type="submit" disabled={busy !== ''}>{busy === 'password' ? 'Signing in…' : 'Sign in'}</button>
          </form>
        )}
        {roleApplies && (
          <details class="role-choice" open={roleOpen} onToggle={(e) => setRoleOpen(e.currentTarget.open)}>
            <summary>Choose a role</summary>
            <label for="role">Role</label>
            {roles.length > 0 ? (
              <select id="role" ref={roleField} form="password-form" value={role} onChange={(e) => setRole(e.currentTarget.value)} aria-describedby="role-help">
                <option value="">Choose…</option>
                {roles.map((r) => <option key={r} value={r}>{r}</option>)}
              </select>
            ) : (
              <input id="role" ref={roleField} form="password-form" name="role" autocomplete="off" value={role} onInput={(e) => setRole(e.currentTarget.value)} aria-describedby="role-help" />
            )}
            <p id="role-help" class="muted">For {roleTargets.join(' and ')} sign-in, when your account may use several roles. Leave empty to use the one it maps to.</p>
          </details>
        )}
        {offered.apiKey && (
          <form onSubmit={submitKey}>
            <label for="api-key">API key</label>
            <input id="api-key" name="api-key" type="password" autocomplete="current-password" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
            <button type="submit" disabled={busy !== ''}>{busy === 'key' ? 'Logging in…' : 'Log in'}</button>
          </form>
        )}
        <p class="error" role="alert">{error}</p>
      </div>
    </main>
  );
}

/** The server's messages are sentence fragments ("the user name or password is not valid"). */
function sentence(message: string): string {
  const s = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
