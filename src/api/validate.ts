// Validates request parameters with zod and turns the first problem into a 400 that names the parameter.
import type { z } from 'zod';
import { ApiError } from './api-error.js';

export function parseParams<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the request';
  const message = issue?.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}` : `${where}: ${issue?.message ?? 'invalid'}`;
  throw new ApiError(400, 'INVALID_PARAMETER', message);
}
