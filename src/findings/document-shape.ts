// Structural checks every finding document passes before anything reads it: keys, depth, size.
import { rejection, type FindingRejection } from './finding-error.js';

/** Keys that could reach an object's prototype when a document is copied or merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ShapeLimits {
  readonly maxDepth: number;
  readonly maxNodes: number;
}

export const DEFAULT_SHAPE_LIMITS: ShapeLimits = { maxDepth: 48, maxNodes: 100_000 };

/**
 * Walks a parsed JSON value without recursion (hostile nesting cannot overflow the stack) and rejects
 * prototype-polluting keys, excessive depth and excessive size.
 */
export function checkShape(value: unknown, limits: ShapeLimits = DEFAULT_SHAPE_LIMITS): FindingRejection | undefined {
  const stack: Array<[unknown, number]> = [[value, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limits.maxDepth) {
      return rejection('NESTING_TOO_DEEP', `the document is nested deeper than ${limits.maxDepth} levels`);
    }
    if (Array.isArray(node)) {
      nodes += node.length;
      for (const item of node) stack.push([item, depth + 1]);
    } else {
      for (const key of Object.keys(node)) {
        nodes++;
        if (FORBIDDEN_KEYS.has(key)) {
          return rejection('FORBIDDEN_KEY', `the key "${key}" is not allowed anywhere in a finding`);
        }
        stack.push([(node as Record<string, unknown>)[key], depth + 1]);
      }
    }
    if (nodes > limits.maxNodes) {
      return rejection('DOCUMENT_TOO_LARGE', `the document has more than ${limits.maxNodes} keys and elements`);
    }
  }
  return undefined;
}
