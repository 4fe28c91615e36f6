// What the figures were measured on: cores, memory, Node, and the versions of both embedded engines.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';

export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  readonly betterSqlite3: string;
  readonly sqlite: string;
  readonly duckdbNodeApi: string;
  readonly duckdb: string;
}

function packageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(root: string): Promise<MachineInfo> {
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const duckdb = String((await connection.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0]?.['v']);
  connection.closeSync();
  instance.closeSync();
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    betterSqlite3: packageVersion(root, 'better-sqlite3'),
    sqlite,
    duckdbNodeApi: packageVersion(root, '@duckdb/node-api'),
    duckdb,
  };
}
