// The catalog's resource-based policy, in the same editor as managed policies.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api.js';
import { Problem } from './bits.js';
import { ConfirmButton } from './confirm-button.js';
import { PolicyEditor } from './policy-editor.js';
import { errorText } from './use-paged.js';

const TEMPLATE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'PaymentsReadTheirGroup', Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::role/payments' }, Action: 'yagura:GetCatalog*', Resource: 'arn:yagura:catalog:::group/payments' }] }, null, 2);

export function CatalogPolicy() {
  const [initial, setInitial] = useState<string | undefined>();
  const [exists, setExists] = useState(false);
  const [error, setError] = useState('');
  const load = (): void => {
    api<{ document: unknown }>('/api/v1/catalog/policy').then(
      (p) => { setInitial(JSON.stringify(p.document, null, 2)); setExists(true); setError(''); },
      (e: unknown) => {
        if (e instanceof ApiFailure && e.status === 404) { setInitial(TEMPLATE); setExists(false); }
        else setError(errorText(e));
      },
    );
  };
  useEffect(load, []);
  const save = async (doc: unknown): Promise<string | undefined> => {
    try {
      await api('/api/v1/catalog/policy', { method: 'PUT', body: { document: doc } });
      setExists(true);
      return undefined;
    } catch (e) {
      return errorText(e);
    }
  };
  const remove = async (): Promise<void> => {
    try {
      await api('/api/v1/catalog/policy', { method: 'DELETE' });
      load();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <div class="editor-box" data-testid="catalog-policy">
      <h2>Resource policy of the catalog</h2>
      <Problem text={error} />
      {initial !== undefined && <PolicyEditor initial={initial} label={exists ? 'The catalog policy (IAM JSON, principals named)' : 'No policy yet; a starting point:'} save={save} testId="catalog-policy-editor" />}
      {exists && <ConfirmButton label="Remove policy" question="Remove the catalog's resource policy?" onConfirm={() => void remove()} />}
    </div>
  );
}
