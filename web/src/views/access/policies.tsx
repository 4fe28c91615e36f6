// Managed policies: the list, a new policy, and each document in the editor (nothing saved on a validation error).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ListFooter, Problem, when } from './bits.js';
import { ConfirmButton } from './confirm-button.js';
import { PolicyEditor } from './policy-editor.js';
import { errorText, usePaged } from './use-paged.js';

interface PolicyRow {
  readonly name: string;
  readonly arn: string;
  readonly document: unknown;
  readonly builtIn: boolean;
  readonly updatedAt?: string;
}

const TEMPLATE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'ReadOneAccount', Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] }, null, 2);

export function PoliciesPage() {
  const list = usePaged<PolicyRow>('/api/v1/policies', 'policies');
  const [open, setOpen] = useState<PolicyRow | 'new' | undefined>();
  const [newName, setNewName] = useState('');
  const [error, setError] = useState('');
  const save = async (doc: unknown): Promise<string | undefined> => {
    try {
      if (open === 'new') await api('/api/v1/policies', { method: 'POST', body: { name: newName.trim(), document: doc } });
      else if (open) await api(`/api/v1/policies/${encodeURIComponent(open.name)}`, { method: 'PUT', body: { document: doc } });
      list.reload();
      if (open === 'new') setOpen(undefined);
      return undefined;
    } catch (e) {
      return errorText(e);
    }
  };
  const remove = async (row: PolicyRow): Promise<void> => {
    try {
      await api(`/api/v1/policies/${encodeURIComponent(row.name)}`, { method: 'DELETE' });
      setError('');
      if (open !== 'new' && open?.name === row.name) setOpen(undefined);
      list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section class="panel access-page" aria-labelledby="access-title" data-testid="access-policies">
      <div class="toolbar">
        <h1 id="access-title">Policies</h1>
        <button type="button" onClick={() => setOpen('new')}>New policy</button>
      </div>
      <Problem text={error} />
      <div class="table-scroll">
        <table class="access-table">
          <thead><tr><th scope="col">Name</th><th scope="col">Statements</th><th scope="col">Updated</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.items.map((p) => (
              <tr data-testid="policy-row" data-name={p.name}>
                <td class="mono">{p.name}{p.builtIn ? <span class="muted"> (built in)</span> : ''}</td>
                <td>{sids(p.document)}</td>
                <td>{when(p.updatedAt)}</td>
                <td>
                  <span class="row-actions">
                    <button type="button" onClick={() => setOpen(p)}>{p.builtIn ? 'View' : 'Edit'}</button>
                    {!p.builtIn && <ConfirmButton label="Delete" question={`Delete ${p.name}?`} onConfirm={() => void remove(p)} />}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListFooter list={list} />
      {open === 'new' && (
        <div class="editor-box">
          <label>Policy name <input name="policy-name" required value={newName} onInput={(e) => setNewName(e.currentTarget.value)} /></label>
          <PolicyEditor initial={TEMPLATE} label="Policy document (IAM JSON)" save={save} testId="policy-editor" />
        </div>
      )}
      {open && open !== 'new' && (
        <div class="editor-box">
          <h2>{open.name}</h2>
          <PolicyEditor initial={JSON.stringify(open.document, null, 2)} label={`Document of ${open.name}`} save={save} testId="policy-editor" />
        </div>
      )}
    </section>
  );
}

/** The statements' Sids (or their count), to tell policies apart in the list. */
function sids(doc: unknown): string {
  const statement = (doc as { Statement?: unknown } | null)?.Statement;
  const list = Array.isArray(statement) ? statement : statement ? [statement] : [];
  const named = list.map((s) => (s as { Sid?: unknown }).Sid).filter((s): s is string => typeof s === 'string');
  return named.length > 0 ? named.join(', ') : `${list.length} statement${list.length === 1 ? '' : 's'}`;
}
