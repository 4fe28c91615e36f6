// The destination form: the fields of each type as the API takes them; a secret left empty keeps the stored one.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { DESTINATION_TYPES, problemOf, type Destination, type DestinationType } from '../alerts-api.js';

function list(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

export function DestinationForm({ destination, onSaved, onCancel }: { destination?: Destination; onSaved: () => void; onCancel: () => void }) {
  const d = destination;
  const [type, setType] = useState<DestinationType>(d?.type ?? 'webhook');
  const [name, setName] = useState(d?.name ?? '');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [host, setHost] = useState(d?.host ?? '');
  const [port, setPort] = useState(String(d?.port ?? 587));
  const [security, setSecurity] = useState(d?.security ?? 'starttls');
  const [username, setUsername] = useState(d?.username ?? '');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(d?.from ?? '');
  const [to, setTo] = useState((d?.to ?? []).join(', '));
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  /** Stored secrets are never shown; editing the same type may leave them empty to keep them. */
  const keeps = d !== undefined && d.type === type;

  const spec = (): Record<string, unknown> => {
    const base = { type, name };
    switch (type) {
      case 'slack':
      case 'teams':
        return { ...base, ...(url && { url }) };
      case 'webhook':
        return { ...base, ...(url && { url }), ...(secret && { secret }) };
      case 'email':
        return { ...base, host, port: Number(port), security, ...(username && { username }), ...(password && { password }), from, to: list(to) };
    }
  };
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    try {
      if (d) await api(`/api/v1/destinations/${encodeURIComponent(d.id)}`, { method: 'PUT', body: spec() });
      else await api('/api/v1/destinations', { method: 'POST', body: spec() });
      setError('');
      onSaved();
    } catch (err) {
      setError(problemOf(err).message);
    } finally {
      setBusy(false);
    }
  };
  const keepHint = keeps ? 'leave empty to keep the stored one' : undefined;
  return (
    <form class="panel alert-form" onSubmit={submit} aria-labelledby="destination-form-title" data-testid="destination-form">
      <h2 id="destination-form-title">{d ? 'Edit destination' : 'New destination'}</h2>
      <label>Type
        <select name="type" value={type} onChange={(e) => setType(e.currentTarget.value as DestinationType)}>
          {DESTINATION_TYPES.map((t) => <option value={t}>{t}</option>)}
        </select>
      </label>
      <label>Name <input name="name" required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      {type !== 'email' && (
        <label class="wide">{type === 'webhook' ? 'URL' : 'Incoming webhook URL'}
          <input name="url" type="url" required={!keeps} value={url} placeholder={keepHint ?? 'https://…'} onInput={(e) => setUrl(e.currentTarget.value)} />
        </label>
      )}
      {type === 'webhook' && (
        <label class="wide">Signing secret (at least 16 characters)
          <input name="secret" type="password" autocomplete="new-password" required={!keeps} value={secret} placeholder={keepHint} onInput={(e) => setSecret(e.currentTarget.value)} />
        </label>
      )}
      {type === 'email' && (
        <>
          <label>SMTP host <input name="host" required value={host} onInput={(e) => setHost(e.currentTarget.value)} /></label>
          <label>Port <input name="port" type="number" min={1} max={65535} required value={port} onInput={(e) => setPort(e.currentTarget.value)} /></label>
          <label>Security
            <select name="security" value={security} onChange={(e) => setSecurity(e.currentTarget.value)}>
              <option value="starttls">STARTTLS (required)</option>
              <option value="tls">TLS from the first byte</option>
              <option value="none">none (loopback relay only)</option>
            </select>
          </label>
          <label>Username <input name="username" autocomplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} /></label>
          <label>Password <input name="password" type="password" autocomplete="new-password" value={password} placeholder={d?.passwordSet && keeps ? keepHint : undefined} onInput={(e) => setPassword(e.currentTarget.value)} /></label>
          <label>From <input name="from" type="email" required value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
          <label class="wide">To (comma-separated) <input name="to" required value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
        </>
      )}
      {error && <p class="error wide" role="alert" data-testid="destination-form-error">{error}</p>}
      <div class="actions wide">
        <button type="submit" disabled={busy}>{d ? 'Save destination' : 'Create destination'}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
