// Messages between the local archive and its thread.

/** One object of a write: its final path, and its uncompressed lines at `start..end` of the write's bytes. */
export interface StagedObject {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export type ArchiveRequest =
  /** Compress and write each object to the staging folder. */
  | { readonly kind: 'stage'; readonly call: number; readonly write: number; readonly bytes: ArrayBuffer; readonly objects: readonly StagedObject[] }
  /** Start one object written in parts: a temporary file in the staging folder. */
  | { readonly kind: 'open'; readonly call: number; readonly write: number; readonly file: string }
  /** Compress one part of an opened object as a gzip member of its own and append it. */
  | { readonly kind: 'append'; readonly call: number; readonly write: number; readonly bytes: ArrayBuffer }
  /** Flush an opened object's file; it is then staged, as a `stage` request leaves its objects. */
  | { readonly kind: 'finish'; readonly call: number; readonly write: number }
  /** Rename a staged write's objects into place and make that durable. */
  | { readonly kind: 'publish'; readonly call: number; readonly write: number }
  /** Remove a staged write's temporary files. */
  | { readonly kind: 'discard'; readonly call: number; readonly write: number };

export interface ArchiveReply {
  readonly call: number;
  /** Compressed bytes staged or appended (a `stage` or `append` request). */
  readonly bytes?: number;
  readonly error?: { readonly message: string; readonly code?: string };
}
