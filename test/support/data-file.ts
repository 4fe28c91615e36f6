// A data folder's SQLite file read beside the running store: for tests of what embedded mode keeps at rest.
import Database from 'better-sqlite3';
import { dataFolder } from '../../src/store/data-folder.js';

/** Opens the folder's database read-only; the caller closes it. Sees every commit of the running store. */
export function openDataFile(dataDir: string): Database.Database {
  return new Database(dataFolder(dataDir).databaseFile, { readonly: true, fileMustExist: true });
}

/** Runs `read` on the folder's database opened read-only, then closes it. */
export function readDataFile<T>(dataDir: string, read: (db: Database.Database) => T): T {
  const db = openDataFile(dataDir);
  try {
    return read(db);
  } finally {
    db.close();
  }
}
