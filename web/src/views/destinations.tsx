// The destinations tab: list (targets as the API redacts them), create/edit, delete, and a test message's outcome.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { problemOf, type Destination, type TestResult } from '../alerts-api.js';
import type { Catalog } from './alerts.js';
import { DestinationForm } from './destination-form.js';

function target(d: Destination): string {
  return d.type === 'email' ? `${(d.to ?? []).join(', ')} via ${d.host ?? ''}:${d.port ?? ''}` : d.url ?? '';
}

type Outcome = TestResult | { readonly ok: false; readonly error: string; readonly latencyMs?: undefined } | 'sending';

export function Destinations({ catalog }: { catalog: Catalog }) {
  const [editing, setEditing] = useState<Destination | 'new'>();
  const [confirming, setConfirming] = useState<string>();
  const [outcomes, setOutcomes] = useState<Readonly<Record<string, Outcome>>>({});
  const [error, setError] = useState('');

  const test = async (d: Destination): Promise<void> => {
    setOutcomes((o) => ({ ...o, [d.id]: 'sending' }));
    let outcome: Outcome;
    try {
      outcome = await api<TestResult>(`/api/v1/destinations/${encodeURIComponent(d.id)}/test`, { method: 'POST' });
    } catch (e) {
      outcome = { ok: false, error: problemOf(e).message };
    }
    setOutcomes((o) => ({ ...o, [d.id]: outcome }));
  };
  const remove = async (d: Destination): Promise<void> => {
    try {
      await api(`/api/v1/destinations/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
      setError('');
    } catch (e) {
      setError(problemOf(e).message);
    }
    setConfirming(undefined);
    await catalog.reload();
  };

  return (
    <div class="alert-tab">
      <div class="toolbar">
        <button type="button" onClick={() => setEditing('new')} disabled={editing !== undefined}>New destination</button>
      </div>
      {editing !== undefined && (
        <DestinationForm key={editing === 'new' ? 'new' : editing.id} {...(editing !== 'new' && { destination: editing })}
          onSaved={() => { setEditing(undefined); void catalog.reload(); }} onCancel={() => setEditing(undefined)} />
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="panel table-wrap">
        <table data-testid="destinations-table">
          <caption class="sr-only">Alert destinations</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Target</th><th scope="col">Test</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {catalog.destinations.length === 0 && <tr><td colSpan={5} class="muted">No destinations yet.</td></tr>}
            {catalog.destinations.map((d) => {
              const o = outcomes[d.id];
              return (
                <tr data-testid="destination-row" data-id={d.id}>
                  <td>{d.name}</td>
                  <td>{d.type}</td>
                  <td class="mono">{target(d)}</td>
                  <td>
                    <button type="button" onClick={() => void test(d)} disabled={o === 'sending'} aria-label={`Send test message to ${d.name}`}>Send test</button>{' '}
                    <span role="status" data-testid="test-outcome" data-ok={o === undefined || o === 'sending' ? '' : String(o.ok)} class={o && o !== 'sending' ? (o.ok ? 'ok' : 'error') : 'muted'}>
                      {o === undefined ? '' : o === 'sending' ? 'Sending…' : o.ok ? `Delivered in ${o.latencyMs} ms` : `Failed: ${o.error ?? 'unknown error'}`}
                    </span>
                  </td>
                  <td class="row-actions">
                    <button type="button" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`}>Edit</button>
                    {confirming === d.id ? (
                      <span role="group" aria-label={`Confirm deleting ${d.name}`}>
                        <button type="button" class="danger" onClick={() => void remove(d)}>Confirm delete</button>
                        <button type="button" onClick={() => setConfirming(undefined)}>Keep</button>
                      </span>
                    ) : (
                      <button type="button" onClick={() => setConfirming(d.id)} aria-label={`Delete ${d.name}`}>Delete</button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
