// Login with an API key (LDAP/OIDC come with federation); the server answers with a session cookie.
import { useState } from 'preact/hooks';
import { api, ApiFailure, sessionStarted } from '../api.js';

export function Login({ onLogin }: { onLogin: (name: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const s = await api<{ name: string }>('/api/v1/sessions', { method: 'POST', body: { apiKey: key.trim() } });
      sessionStarted();
      onLogin(s.name);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : 'the server cannot be reached');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Yagura</h1>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autocomplete="current-password" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>Log in</button>
        {error && <p class="error" role="alert">{error}</p>}
      </form>
    </main>
  );
}
