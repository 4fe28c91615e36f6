// Where a policy validation error points in the document's text: the server's messages name the element
// (`Statement[2].Condition: unknown operator "StringEqualz"`), the parse tree gives each element's offset.
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';

export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** `identity[0].Statement[2].Condition` → `['Statement', 2, 'Condition']` (a simulator's policy label is dropped). */
export function elementPath(message: string): Array<string | number> | undefined {
  const colon = message.indexOf(': ');
  const head = (colon < 0 ? message : message.slice(0, colon)).replace(/^(identity\[\d+\]|resource)\./, '');
  if (!/^[A-Za-z][A-Za-z0-9]*(\[\d+\])*(\.[A-Za-z:/][^.[\]]*(\[\d+\])*)*$/.test(head)) return undefined;
  const path: Array<string | number> = [];
  for (const m of head.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return path;
}

/** The part of `text` the error names, as precisely as the tree allows; undefined when it cannot be found. */
export function locateError(text: string, message: string): Span | undefined {
  const path = elementPath(message);
  const tree = parseTree(text);
  if (!path || !tree) return undefined;
  let node: Node | undefined;
  // Statement may be one object rather than an array: `Statement[0]` then names that object.
  for (let n = path.length; n > 0 && !node; n--) {
    const prefix = path.slice(0, n);
    node = findNodeAtLocation(tree, prefix);
    if (!node && prefix[1] === 0 && findNodeAtLocation(tree, ['Statement'])?.type === 'object') node = findNodeAtLocation(tree, [prefix[0]!, ...prefix.slice(2)]);
  }
  if (!node) return undefined;
  // A quoted name in the message (an unknown operator or element) narrows it to that key.
  const quoted = /"([^"]+)"/.exec(message.slice(message.indexOf(': ') + 2))?.[1];
  if (quoted !== undefined && node.type === 'object') {
    const prop = node.children?.find((p) => p.children?.[0]?.value === quoted);
    if (prop) node = prop;
  }
  const target = node.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : node;
  return { offset: target.offset, length: target.length };
}
