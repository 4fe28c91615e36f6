// The policy simulator: a principal, identity policies, an optional resource policy, an action, a resource and
// context keys → the decision and the statements that made it.
import { useState } from 'preact/hooks';
import { api } from '../../api.js';
import { Problem } from './bits.js';
import { errorText, FormProblem } from './use-paged.js';

interface Answer {
  readonly decision: 'allowed' | 'explicit_deny' | 'implicit_deny';
  readonly matchedStatements: ReadonlyArray<{ readonly policy: string; readonly sid?: string }>;
}

const EXAMPLE = JSON.stringify([{ Version: '2012-10-17', Statement: [{ Sid: 'OneAccount', Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] }], null, 2);

function parse(label: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new FormProblem(`${label} is not valid JSON`);
  }
}

export function SimulatorPage() {
  const [principal, setPrincipal] = useState('arn:aws:iam::111111111111:user/alice');
  const [identity, setIdentity] = useState(EXAMPLE);
  const [resourcePolicy, setResourcePolicy] = useState('');
  const [action, setAction] = useState('yagura:GetFinding');
  const [resource, setResource] = useState('arn:aws:guardduty:us-east-1:111111111111:detector/d1/finding/f1');
  const [context, setContext] = useState('{}');
  const [answer, setAnswer] = useState<Answer>();
  const [error, setError] = useState('');
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const policies = parse('Identity policies', identity);
      const body = {
        principal: principal.trim(),
        identityPolicies: Array.isArray(policies) ? policies : [policies],
        resourcePolicy: resourcePolicy.trim() === '' ? null : parse('The resource policy', resourcePolicy),
        action: action.trim(),
        resource: resource.trim(),
        context: parse('Context', context || '{}'),
      };
      setAnswer(await api<Answer>('/api/v1/policies/simulate', { method: 'POST', body }));
      setError('');
    } catch (err) {
      setAnswer(undefined);
      setError(errorText(err));
    }
  };
  return (
    <section class="panel access-page" aria-labelledby="access-title" data-testid="access-simulator">
      <div class="toolbar"><h1 id="access-title">Policy simulator</h1></div>
      <form class="alert-form" onSubmit={submit}>
        <label>Principal ARN <input name="principal" value={principal} onInput={(e) => setPrincipal(e.currentTarget.value)} /></label>
        <label>Action <input name="action" value={action} onInput={(e) => setAction(e.currentTarget.value)} /></label>
        <label class="wide">Resource ARN <input name="resource" value={resource} onInput={(e) => setResource(e.currentTarget.value)} /></label>
        <label class="wide">Identity policies (a JSON array of documents) <textarea name="identity" rows={10} spellcheck={false} value={identity} onInput={(e) => setIdentity(e.currentTarget.value)} /></label>
        <label class="wide">Resource policy (optional) <textarea name="resource-policy" rows={4} spellcheck={false} value={resourcePolicy} onInput={(e) => setResourcePolicy(e.currentTarget.value)} /></label>
        <label class="wide">Context keys (JSON object, e.g. {'{"aws:SourceIp": "203.0.113.7"}'}) <textarea name="context" rows={3} spellcheck={false} value={context} onInput={(e) => setContext(e.currentTarget.value)} /></label>
        <div class="actions wide"><button type="submit">Simulate</button></div>
      </form>
      <Problem text={error} testId="simulator-error" />
      {answer && (
        <div class="simulation" role="status" data-testid="simulation">
          <p>Decision: <strong data-testid="decision" class={answer.decision === 'allowed' ? 'ok' : 'error'}>{answer.decision.replace('_', ' ')}</strong></p>
          {answer.matchedStatements.length > 0 && (
            <ul>{answer.matchedStatements.map((m) => <li>{m.policy}{m.sid ? ` · ${m.sid}` : ''}</li>)}</ul>
          )}
        </div>
      )}
    </section>
  );
}
