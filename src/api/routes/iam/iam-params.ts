// Shared request shapes of the administration API: names, tags, pages.
import { z } from 'zod';
import { NAME_PATTERN } from '../../../auth/principals/names.js';
import { ApiError } from '../../api-error.js';
import { parseParams } from '../../validate.js';

export const iamName = z.string().regex(NAME_PATTERN, 'a name is 1 to 64 characters among A-Z a-z 0-9 + = , . @ _ -');
export const nameList = z.array(iamName).max(100).default([]);
/** Tags as IAM allows them: up to 50, keys to 128 characters, values to 256. */
export const tags = z
  .record(z.string().regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'a tag key is 1 to 128 letters, digits, spaces or _ . : / = + - @'), z.string().max(256))
  .refine((t) => Object.keys(t).length <= 50, 'at most 50 tags')
  .default({});

const nameParams = z.object({ name: iamName }).strict();

/** The `:name` of the path, or 400 INVALID_NAME. */
export function pathName(params: unknown): string {
  const parsed = nameParams.safeParse(params);
  if (!parsed.success) throw new ApiError(400, 'INVALID_NAME', 'a name is 1 to 64 characters among A-Z a-z 0-9 + = , . @ _ -');
  return parsed.data.name;
}

const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export interface PageRequest {
  readonly limit: number;
  readonly after?: string;
}

/** `?limit=&cursor=`; the cursor is the position of the last item shown, opaque to clients. */
export function pageOf(query: unknown): PageRequest {
  const q = parseParams(pageQuery, query ?? {});
  if (q.cursor === undefined) return { limit: q.limit };
  const after = Buffer.from(q.cursor, 'base64url').toString('utf8');
  if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== q.cursor) throw new ApiError(400, 'INVALID_CURSOR', 'the cursor is not one this server issued');
  return { limit: q.limit, after };
}

export function nextCursor(next: string | undefined): string | null {
  return next === undefined ? null : Buffer.from(next, 'utf8').toString('base64url');
}
