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
  preparePath(path);
  // SQLite answers SQLITE_BUSY at once, without its busy handler, where waiting could deadlock: switching a new
  // file to WAL while another opener reads it, or upgrading a read to a write. Several learns opening a new store
  // together meet that; each try is short, so try again for a bounded time.
  for (let tries = 1; ; tries++) {
    let db: Db | undefined;
    try {
      db = new Database(path);
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, path);
      markAbandonedRuns(db);
      const handle = db;
      return { db: handle, path, close: () => handle.close() };
    } catch (error) {
      db?.close();
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || tries >= BUSY_TRIES) throw asStoreError(error, path);
      Atomics.wait(PAUSE, 0, 0, 10 + Math.floor(Math.random() * 40));
    }
  }
}

const BUSY_TRIES = 100;
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** The store's directory, made if missing; a dangling link at the path is refused (its target is never created). */
function preparePath(path: string): void {
  try {
    refuseDanglingLink(path);
    ensureDir(dirname(path));
  } catch (error) {
    throw asStoreError(error, path);
  }
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
