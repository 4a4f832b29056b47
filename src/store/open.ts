import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { notADatabase, notWritable, refuseDanglingLink } from './path.js';
import { migrate } from './schema.js';
import { ensureDir } from '../os/atomic-write.js';
import { processStartTime } from '../os/process-identity.js';

/** An open store: the handle plus the path it came from (for messages). */
export interface Store {
  readonly db: Db;
  readonly path: string;
  close(): void;
}

export function storeExists(path: string): boolean {
  return existsSync(path);
}

/**
 * Opens (creating when needed) and migrates the store, and marks runs whose writer died as incomplete.
 * Every failure becomes a one-line StoreError.
 */
export function openStore(path: string): Store {
  let db: Db | undefined;
  try {
    refuseDanglingLink(path);
    ensureDir(dirname(path));
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path);
    markAbandonedRuns(db);
  } catch (error) {
    db?.close();
    throw asStoreError(error, path);
  }
  const handle = db;
  return { db: handle, path, close: () => handle.close() };
}

function asStoreError(error: unknown, path: string): StoreError {
  if (error instanceof StoreError) return error;
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB') return notADatabase(path);
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS' || code === 'EACCES' || code === 'EPERM') return notWritable(path, message);
  return new StoreError(`cannot open store ${path}: ${message}`, { cause: error, hint: 'use --db PATH to choose another location' });
}

/** A 'running' run whose owner is gone was cut short (kill -9, crash, power loss): mark it incomplete. */
function markAbandonedRuns(db: Db): void {
  const running = db.prepare(`SELECT id, owner_pid AS pid, owner_start AS start FROM runs WHERE status = 'running'`).all() as
    { id: number; pid: number | null; start: string | null }[];
  const dead = running.filter((r) => r.pid === null || processStartTime(r.pid) !== r.start);
  if (dead.length === 0) return;
  const mark = db.prepare(`UPDATE runs SET status = 'incomplete', owner_pid = NULL, owner_start = NULL WHERE id = ? AND status = 'running'`);
  db.transaction(() => {
    for (const r of dead) mark.run(r.id);
  })();
}
