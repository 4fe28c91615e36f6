// The account catalog: groups → accounts with names and tags; edit tags, move an account; the resource policy.
import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api.js';
import { ListFooter, parseTags, Problem, tagsText } from './bits.js';
import { CatalogPolicy } from './catalog-policy.js';
import { errorText, usePaged } from './use-paged.js';

interface GroupRow {
  readonly name: string;
  readonly tags: Record<string, string>;
  readonly builtIn?: boolean;
}

interface AccountRow {
  readonly accountId: string;
  readonly group: string;
  readonly name?: string | null;
  readonly tags: Record<string, string>;
}

export function CatalogPage() {
  const groups = usePaged<GroupRow>('/api/v1/catalog/groups', 'groups');
  const [open, setOpen] = useState<string | undefined>();
  return (
    <section class="panel access-page" aria-labelledby="access-title" data-testid="access-catalog">
      <div class="toolbar"><h1 id="access-title">Account catalog</h1></div>
      <ul class="catalog-tree" aria-label="Account groups">
        {groups.items.map((g) => (
          <li data-testid="catalog-group" data-name={g.name}>
            <div class="catalog-row">
              <button type="button" class="link" aria-expanded={open === g.name} onClick={() => setOpen(open === g.name ? undefined : g.name)}>{open === g.name ? '▾' : '▸'} {g.name}</button>
              <TagsEditor tags={g.tags} label={`Tags of ${g.name}`} save={(tags) => api(`/api/v1/catalog/groups/${encodeURIComponent(g.name)}`, { method: 'PUT', body: { tags } }).then(groups.reload)} />
            </div>
            {open === g.name && <Accounts group={g.name} groups={groups.items.map((x) => x.name)} />}
          </li>
        ))}
      </ul>
      <ListFooter list={groups} />
      <CatalogPolicy />
    </section>
  );
}

function Accounts({ group, groups }: { group: string; groups: string[] }) {
  const list = usePaged<AccountRow>(`/api/v1/catalog/groups/${encodeURIComponent(group)}/accounts`, 'accounts');
  return (
    <div class="table-scroll">
      <table class="access-table" aria-label={`Accounts of ${group}`}>
        <thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Tags</th><th scope="col">Group</th></tr></thead>
        <tbody>
          {list.items.map((a) => (
            <tr data-testid="catalog-account" data-account={a.accountId}>
              <td class="mono">{a.accountId}</td>
              <td>{a.name ?? ''}</td>
              <td><TagsEditor tags={a.tags} label={`Tags of ${a.accountId}`} save={(tags) => putAccount(a, { tags }).then(list.reload)} /></td>
              <td><MoveAccount account={a} groups={groups} onMoved={list.reload} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      <ListFooter list={list} />
    </div>
  );
}

function putAccount(a: AccountRow, change: { group?: string; tags?: Record<string, string> }): Promise<unknown> {
  return api(`/api/v1/catalog/accounts/${encodeURIComponent(a.accountId)}`, { method: 'PUT', body: { group: change.group ?? a.group, ...(a.name && { name: a.name }), tags: change.tags ?? a.tags } });
}

function MoveAccount({ account, groups, onMoved }: { account: AccountRow; groups: string[]; onMoved: () => void }) {
  const [error, setError] = useState('');
  return (
    <span>
      <select aria-label={`Group of ${account.accountId}`} value={account.group}
        onChange={(e) => void putAccount(account, { group: e.currentTarget.value }).then(() => { setError(''); onMoved(); }, (err: unknown) => setError(errorText(err)))}>
        {groups.map((g) => <option value={g}>{g}</option>)}
      </select>
      <Problem text={error} />
    </span>
  );
}

/** Tags as `key=value, …` text: shown, and edited in place. */
function TagsEditor({ tags, label, save }: { tags: Record<string, string>; label: string; save: (tags: Record<string, string>) => Promise<unknown> }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(tagsText(tags));
  const [error, setError] = useState('');
  if (!editing) {
    return <span class="tags"><span>{tagsText(tags) || <span class="muted">no tags</span>}</span> <button type="button" class="link" aria-label={`Edit ${label}`} onClick={() => { setText(tagsText(tags)); setEditing(true); }}>edit</button></span>;
  }
  return (
    <form class="tags-form" onSubmit={(e) => {
      e.preventDefault();
      try {
        void save(parseTags(text)).then(() => { setEditing(false); setError(''); }, (err: unknown) => setError(err instanceof ApiFailure ? err.message : errorText(err)));
      } catch (err) {
        setError(errorText(err));
      }
    }}>
      <input aria-label={label} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <button type="submit">Save</button>
      <button type="button" onClick={() => setEditing(false)}>Cancel</button>
      <Problem text={error} />
    </form>
  );
}
