// The KQL query bar: Enter searches; a syntax error is shown under the query at its position.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface QueryProblem {
  readonly message: string;
  readonly position?: number;
}

const FINDINGS_PLACEHOLDER = 'Search with KQL, e.g. band >= High and type:Recon*   (press / to focus)';

export function QueryBar({ query, problem, onSubmit, autoFocus, placeholder = FINDINGS_PLACEHOLDER }: { query: string; problem?: QueryProblem; onSubmit: (q: string) => void; autoFocus?: boolean; placeholder?: string }) {
  const [text, setText] = useState(query);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setText(query), [query]);
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);
  return (
    <form class="query-bar" role="search" onSubmit={(e) => { e.preventDefault(); onSubmit(text); }}>
      <label for="query" class="sr-only">KQL query</label>
      <input
        id="query"
        ref={input}
        type="search"
        spellcheck={false}
        autocomplete="off"
        placeholder={placeholder}
        value={text}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? 'query-error' : undefined}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <button type="submit">Search</button>
      {problem && <QueryError id="query-error" query={query} problem={problem} testId="query-error" />}
    </form>
  );
}

/** A query's error under its input: the message, and the query echoed with a caret at the position named. */
export function QueryError({ id, query, problem, testId }: { id: string; query: string; problem: QueryProblem; testId: string }) {
  const pos = problem.position;
  return (
    <div id={id} class="query-error" role="alert" data-testid={testId} data-position={pos ?? ''}>
      {pos !== undefined && (
        <pre class="query-echo" aria-hidden="true">
          {query.slice(0, pos)}<mark data-testid={`${testId}-mark`}>{query.slice(pos, pos + 1) || ' '}</mark>{query.slice(pos + 1)}
          {'\n'}{' '.repeat(pos)}^
        </pre>
      )}
      <span>{pos !== undefined ? `Position ${pos}: ` : ''}{problem.message}</span>
    </div>
  );
}
