import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../src/analyzer/store/database.js';

/** Call at a test file's top level: `database()` opens an analyzer database in a new directory, closed after each test. */
export function tempDatabases(): { database(): Promise<Db> } {
  const opened: Db[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
  });
  return {
    async database() {
      const db = openDatabase(await mkdtemp(join(tmpdir(), 'envirowatch-state-')));
      opened.push(db);
      return db;
    },
  };
}

/** Rows written by `db` so far (SQLite's total_changes()). */
export const changes = (db: Db) => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
