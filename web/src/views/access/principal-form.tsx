// Create or edit a user, group or role: the fields each kind has (names are comma lists, tags key=value).
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { parseTags, Problem, splitNames, tagsText } from './bits.js';
import { errorText } from './use-paged.js';

export interface PrincipalRecord {
  readonly name: string;
  readonly groups?: string[];
  readonly policies?: string[];
  readonly tags?: Record<string, string>;
  readonly description?: string;
}

export type PrincipalKind = 'users' | 'groups' | 'roles';

const FIELDS: Readonly<Record<PrincipalKind, readonly string[]>> = {
  users: ['groups', 'policies', 'tags', 'password'],
  groups: ['policies'],
  roles: ['description', 'policies', 'tags'],
};

/** `existing` edits (PUT), otherwise creates (POST); `onDone` after the server saved it. */
export function PrincipalForm({ kind, existing, onDone, onCancel }: { kind: PrincipalKind; existing?: PrincipalRecord; onDone: () => void; onCancel: () => void }) {
  const fields = FIELDS[kind];
  const [name, setName] = useState(existing?.name ?? '');
  const [groups, setGroups] = useState((existing?.groups ?? []).join(', '));
  const [policies, setPolicies] = useState((existing?.policies ?? []).join(', '));
  const [tags, setTags] = useState(tagsText(existing?.tags));
  const [description, setDescription] = useState(existing?.description ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const body: Record<string, unknown> = { policies: splitNames(policies) };
      if (!existing) body['name'] = name.trim();
      if (fields.includes('groups')) body['groups'] = splitNames(groups);
      if (fields.includes('tags')) body['tags'] = parseTags(tags);
      if (fields.includes('description')) body['description'] = description;
      if (fields.includes('password') && password !== '') body['password'] = password;
      const path = existing ? `/api/v1/${kind}/${encodeURIComponent(existing.name)}` : `/api/v1/${kind}`;
      await api(path, { method: existing ? 'PUT' : 'POST', body });
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="alert-form" onSubmit={submit} aria-label={existing ? `Edit ${existing.name}` : `New ${kind.slice(0, -1)}`} data-testid="principal-form">
      <h2>{existing ? `Edit ${existing.name}` : `New ${kind.slice(0, -1)}`}</h2>
      {!existing && <label>Name <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} /></label>}
      {fields.includes('description') && <label>Description <input name="description" value={description} onInput={(e) => setDescription(e.currentTarget.value)} /></label>}
      {fields.includes('groups') && <label>Groups (comma separated) <input name="groups" value={groups} onInput={(e) => setGroups(e.currentTarget.value)} /></label>}
      <label>Policies (comma separated) <input name="policies" value={policies} onInput={(e) => setPolicies(e.currentTarget.value)} /></label>
      {fields.includes('tags') && <label>Tags (key=value, comma separated) <input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} /></label>}
      {fields.includes('password') && (
        <label>{existing ? 'New password (empty keeps it)' : 'Password (optional, 12 characters or more)'}
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
      )}
      <div class="actions wide">
        <button type="submit">Save</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
      <div class="wide"><Problem text={error} testId="form-error" /></div>
    </form>
  );
}
