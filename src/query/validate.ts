// Checks a query before it is kept to run later (a live stream, an alert rule): syntax and values alike.
import type { QueryNode } from './ast.js';
import { bindQuery } from './bind.js';
import { parseQuery } from './parser.js';

/**
 * Parses and binds `text`, throwing QueryError (INVALID_QUERY, with a position for syntax errors) for anything
 * a read would refuse. Returns the parse tree: relative times resolve again at each run.
 */
export function validateQuery(text: string): QueryNode {
  const query = parseQuery(text);
  bindQuery(query);
  return query;
}
