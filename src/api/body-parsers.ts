// Request body parsers: JSON with our error codes, and NDJSON kept as text for per-line handling.
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';

/** An NDJSON body, split into lines by the route so a bad line rejects only itself. */
export class NdjsonBody {
  constructor(readonly bytes: Buffer) {}
}

/** A form-encoded body (STS): its fields, and its bytes for a signature's payload hash. */
export class FormBody {
  readonly fields: URLSearchParams;
  constructor(readonly bytes: Buffer) {
    this.fields = new URLSearchParams(bytes.toString('utf8'));
  }
}

/** STS requests are small; a larger form is refused before it is read. */
const MAX_FORM_BYTES = 64 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body's bytes as received, for SigV4's payload hash. */
    rawBody?: Buffer;
  }
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-seq'];

export function registerBodyParsers(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json'], { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (request, body, done) => {
    request.rawBody = body as Buffer;
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
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, new NdjsonBody(body as Buffer));
  });
  app.addContentTypeParser(['application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: MAX_FORM_BYTES }, (request, body, done) => {
    if (!isUtf8(body as Buffer)) return done(new ApiError(400, 'INVALID_FORM', 'the request body is not valid UTF-8'), undefined);
    request.rawBody = body as Buffer;
    done(null, new FormBody(body as Buffer));
  });
}
