// How the conformance suite gets its stores: a factory per backend, a fresh store per test or one per group.
import { after, before, test } from 'node:test';
import type { FindingStore } from '../finding-store.js';

/** A store opened for the suite, and how to dispose of it (close it and remove what it wrote). */
export interface OpenedStore {
  readonly store: FindingStore;
  close(): Promise<void>;
}

/** Opens a fresh, empty store each time it is called. */
export type StoreFactory = () => Promise<OpenedStore>;

/** A test with a fresh store of its own, disposed of whatever the test does. */
export function storeTest(open: StoreFactory, title: string, body: (store: FindingStore) => Promise<void>, options: { timeout?: number } = {}): void {
  test(title, options, async () => {
    const opened = await open();
    try {
      await body(opened.store);
    } finally {
      await opened.close();
    }
  });
}

/**
 * One store for the tests of the enclosing `describe`, seeded once: tests that only read share it (opening a
 * store costs a served SQLite store its reader threads, and PostgreSQL a database). Call the result inside a test.
 */
export function sharedStore(open: StoreFactory, seed: (store: FindingStore) => Promise<void>): () => FindingStore {
  let opened: OpenedStore | undefined;
  before(async () => {
    opened = await open();
    await seed(opened.store);
  });
  after(async () => {
    await opened?.close();
  });
  return () => {
    if (opened === undefined) throw new Error('the shared store is read before it was opened');
    return opened.store;
  };
}
