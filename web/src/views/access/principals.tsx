// Users, groups and roles: one list page each, with create, edit and delete.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { ListFooter, Problem, tagsText, when } from './bits.js';
import { ConfirmButton } from './confirm-button.js';
import { PrincipalForm, type PrincipalKind, type PrincipalRecord } from './principal-form.js';
import { errorText, usePaged } from './use-paged.js';

type Row = PrincipalRecord & { readonly arn: string; readonly builtIn?: boolean; readonly hasPassword?: boolean; readonly members?: string[]; readonly createdAt?: string };

const TITLES: Readonly<Record<PrincipalKind, string>> = { users: 'Users', groups: 'Groups', roles: 'Roles' };

export function PrincipalsPage({ kind }: { kind: PrincipalKind }) {
  const list = usePaged<Row>(`/api/v1/${kind}`, kind);
  const [editing, setEditing] = useState<Row | 'new' | undefined>();
  const [error, setError] = useState('');
  const remove = async (row: Row): Promise<void> => {
    try {
      await api(`/api/v1/${kind}/${encodeURIComponent(row.name)}`, { method: 'DELETE' });
      setError('');
      list.reload();
    } catch (e) {
      setError(errorText(e));
    }
  };
  const done = (): void => { setEditing(undefined); list.reload(); };
  return (
    <section class="panel access-page" aria-labelledby="access-title" data-testid={`access-${kind}`}>
      <div class="toolbar">
        <h1 id="access-title">{TITLES[kind]}</h1>
        <button type="button" onClick={() => setEditing('new')}>New {kind.slice(0, -1)}</button>
      </div>
      {editing && <PrincipalForm kind={kind} {...(editing !== 'new' && { existing: editing })} onDone={done} onCancel={() => setEditing(undefined)} />}
      <Problem text={error} />
      <div class="table-scroll">
        <table class="access-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              {kind === 'users' && <th scope="col">Groups</th>}
              {kind === 'groups' && <th scope="col">Members</th>}
              {kind === 'roles' && <th scope="col">Description</th>}
              <th scope="col">Policies</th>
              {kind !== 'groups' && <th scope="col">Tags</th>}
              <th scope="col">Created</th>
              <th scope="col"><span class="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((row) => (
              <tr data-testid="principal-row" data-name={row.name}>
                <td class="mono">{row.name}{row.builtIn ? <span class="muted"> (built in)</span> : ''}</td>
                {kind === 'users' && <td>{(row.groups ?? []).join(', ')}</td>}
                {kind === 'groups' && <td>{(row.members ?? []).join(', ')}</td>}
                {kind === 'roles' && <td>{row.description ?? ''}</td>}
                <td>{(row.policies ?? []).join(', ')}</td>
                {kind !== 'groups' && <td>{tagsText(row.tags)}</td>}
                <td>{when(row.createdAt)}</td>
                <td>
                  {!row.builtIn && (
                    <span class="row-actions">
                      <button type="button" onClick={() => setEditing(row)}>Edit</button>
                      <ConfirmButton label="Delete" question={`Delete ${row.name}?`} onConfirm={() => void remove(row)} />
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ListFooter list={list} />
    </section>
  );
}
