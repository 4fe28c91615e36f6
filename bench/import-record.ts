// The import phase's result kept beside its data folder, so a run can reuse a 1M import it did not serve yet.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetManifest } from './dataset.js';
import type { ImportResult } from './import-phase.js';
import type { PhaseRecord } from './progress.js';

/**
 * Written right after the import; removed as soon as a server opens the folder (live ingest changes it). While
 * it exists, the data folder holds exactly the imported data set.
 */
export interface ImportRecord {
  readonly measuredAt: string;
  readonly manifest: DatasetManifest;
  readonly import: ImportResult;
  readonly phases: readonly PhaseRecord[];
}

function fileOf(workDir: string): string {
  return path.join(workDir, 'import.json');
}

export async function readImportRecord(workDir: string): Promise<ImportRecord | undefined> {
  try {
    return JSON.parse(await readFile(fileOf(workDir), 'utf8')) as ImportRecord;
  } catch {
    return undefined;
  }
}

export async function writeImportRecord(workDir: string, record: ImportRecord): Promise<void> {
  await writeFile(fileOf(workDir), `${JSON.stringify(record, null, 2)}\n`);
}

export async function forgetImportRecord(workDir: string): Promise<void> {
  await rm(fileOf(workDir), { force: true });
}
