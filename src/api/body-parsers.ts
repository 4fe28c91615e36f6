// Request body parsers: JSON with our error codes, and NDJSON kept as text for per-line handling.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';

/** An NDJSON body, split into lines by the route so a bad line rejects only itself. */
export class NdjsonBody {
  constructor(readonly bytes: Buffer) {}
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-seq'];

export function registerBodyParsers(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    // Invalid UTF-8 is refused, never silently replaced by U+FFFD and stored altered.
    if (!isUtf8(body as Buffer)) return done(new ApiError(400, 'INVALID_JSON', 'the request body is not valid UTF-8'), undefined);
    const text = (body as Buffer).toString('utf8');
    if (text.trim() === '') return done(new ApiError(400, 'EMPTY_BODY', 'the request body is empty'), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new ApiError(400, 'INVALID_JSON', `the request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    done(null, new NdjsonBody(body as Buffer));
  });
}
