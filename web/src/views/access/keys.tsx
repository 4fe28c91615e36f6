// API keys: create (the secret is shown once, with a copy button), list without secrets, revoke after confirming.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ListFooter, Problem, when } from './bits.js';
import { ConfirmButton } from './confirm-button.js';
import { errorText, usePaged } from './use-paged.js';

interface KeyRow {
  readonly id: string;
  readonly prefix: string;
  readonly name: string;
  readonly owner: { readonly kind: string; readonly name: string };
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
}

interface Created {
  readonly id: string;
  readonly key: string;
  readonly prefix: string;
}

export function KeysPage() {
  const list = usePaged<KeyRow>('/api/v1/keys', 'keys');
  const [created, setCreated] = useState<Created>();
  const [error, setError] = useState('');
  const revoke = async (row: KeyRow): Promise<void> => {
    try {
      await api(`/api/v1/keys/${encodeURIComponent(row.id)}`, { method: 'DELETE' });
      setError('');
      list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section class="panel access-page" aria-labelledby="access-title" data-testid="access-keys">
      <div class="toolbar"><h1 id="access-title">API keys</h1></div>
      <NewKeyForm onCreated={(c) => { setCreated(c); list.reload(); }} />
      {created && <ShownOnce created={created} onDismiss={() => setCreated(undefined)} />}
      <Problem text={error} />
      <div class="table-scroll">
        <table class="access-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Owner</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.items.map((k) => (
              <tr data-testid="key-row" data-prefix={k.prefix}>
                <td>{k.name}</td>
                <td class="mono">{k.prefix}</td>
                <td>{k.owner.kind} {k.owner.name}</td>
                <td>{when(k.createdAt)}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>{when(k.expiresAt)}</td>
                <td data-testid="key-state">{k.revoked ? 'revoked' : 'active'}</td>
                <td>{!k.revoked && <ConfirmButton label="Revoke" question={`Revoke ${k.prefix}? Programs using it stop at once.`} onConfirm={() => void revoke(k)} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListFooter list={list} />
    </section>
  );
}

function NewKeyForm({ onCreated }: { onCreated: (c: Created) => void }) {
  const [name, setName] = useState('');
  const [ownerKind, setOwnerKind] = useState<'role' | 'user'>('role');
  const [owner, setOwner] = useState('');
  const [expires, setExpires] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const body = { name: name.trim(), [ownerKind]: owner.trim(), ...(expires && { expiresAt: new Date(expires).toISOString() }) };
      onCreated(await api<Created>('/api/v1/keys', { method: 'POST', body }));
      setName('');
      setError('');
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="alert-form" onSubmit={submit} aria-label="New API key">
      <label>Key name <input name="key-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>
      <label>Belongs to
        <select name="owner-kind" value={ownerKind} onChange={(e) => setOwnerKind(e.currentTarget.value === 'user' ? 'user' : 'role')}>
          <option value="role">a role</option>
          <option value="user">a user</option>
        </select>
      </label>
      <label>Owner name <input name="owner" required value={owner} onInput={(e) => setOwner(e.currentTarget.value)} /></label>
      <label>Expires (optional) <input name="expires" type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} /></label>
      <div class="actions wide"><button type="submit">Create key</button></div>
      <div class="wide"><Problem text={error} testId="form-error" /></div>
    </form>
  );
}

function ShownOnce({ created, onDismiss }: { created: Created; onDismiss: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="shown-once" role="alert" data-testid="new-key">
      <p><strong>Copy this key now: it is not shown again.</strong> Anyone holding it acts with its owner's permissions.</p>
      <code class="mono" data-testid="new-key-value">{created.key}</code>
      <div class="actions">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(created.key).then(() => setCopied(true), () => setCopied(false))}>{copied ? 'Copied' : 'Copy'}</button>
        <button type="button" onClick={onDismiss}>I have stored it</button>
      </div>
    </div>
  );
}
