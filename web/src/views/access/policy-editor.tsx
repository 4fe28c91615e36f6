// A policy document's editor: JSON in a textarea, validated by the server on save; an error's element is marked.
import { useEffect, useRef, useState } from 'preact/hooks';
import { locateError, type Span } from '../../policy-location.js';

export interface EditorProblem {
  readonly message: string;
}

/** The document text around the span, the span marked (the textarea selects it too). */
function Marked({ text, span }: { text: string; span: Span }) {
  const start = text.lastIndexOf('\n', Math.max(0, span.offset - 1 - 200)) + 1;
  const endLine = text.indexOf('\n', span.offset + span.length);
  const end = endLine < 0 ? text.length : endLine;
  return (
    <pre class="query-echo policy-echo" aria-hidden="true">
      {text.slice(start, span.offset)}<mark data-testid="policy-error-mark">{text.slice(span.offset, span.offset + span.length)}</mark>{text.slice(span.offset + span.length, end)}
    </pre>
  );
}

/**
 * `save` gets the parsed document and answers an error message or nothing; a document that is not JSON never
 * reaches the server.
 */
export function PolicyEditor({ initial, label, save, testId }: { initial: string; label: string; save: (doc: unknown) => Promise<string | undefined>; testId: string }) {
  const [text, setText] = useState(initial);
  const [problem, setProblem] = useState<{ message: string; span?: Span }>();
  const [saved, setSaved] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => setText(initial), [initial]);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setSaved(false);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      setProblem({ message: `the document is not valid JSON: ${(err as Error).message}` });
      return;
    }
    const message = await save(doc);
    if (message === undefined) {
      setProblem(undefined);
      setSaved(true);
      return;
    }
    const span = locateError(text, message);
    setProblem({ message, ...(span && { span }) });
    if (span && area.current) {
      area.current.focus();
      area.current.setSelectionRange(span.offset, span.offset + span.length);
    }
  };
  return (
    <form class="policy-editor" onSubmit={submit} data-testid={testId}>
      <label for={`${testId}-text`}>{label}</label>
      <textarea id={`${testId}-text`} ref={area} spellcheck={false} rows={16} value={text} aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${testId}-error` : undefined} onInput={(e) => { setText(e.currentTarget.value); setSaved(false); }} />
      <div class="actions"><button type="submit">Save</button>{saved && <span class="ok" role="status">Saved</span>}</div>
      {problem && (
        <div id={`${testId}-error`} class="query-error" role="alert" data-testid="policy-error" data-located={problem.span ? 'yes' : 'no'}>
          {problem.span && <Marked text={text} span={problem.span} />}
          <span>{problem.message}</span>
        </div>
      )}
    </form>
  );
}
