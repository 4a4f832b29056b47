// EDGE: where the store lives, and the checks that can be made on that path without loading SQLite: a trace
// starts the program before the store is opened, so what would make opening fail is looked for first.
import { accessSync, closeSync, constants, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreError } from '../errors.js';

export const DEFAULT_DB = '.learn/learn.db';

/** `--db` wins, then LEARN_DB, then ./.learn/learn.db; relative paths are taken from cwd. */
export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const chosen = flag ?? (env.LEARN_DB !== undefined && env.LEARN_DB !== '' ? env.LEARN_DB : DEFAULT_DB);
  return resolve(cwd, chosen);
}

export function notADatabase(path: string): StoreError {
  return new StoreError(`${path}: not a SQLite database`, { hint: 'point --db (or LEARN_DB) at a learn store or a new file' });
}

export function notWritable(path: string, why: string): StoreError {
  return new StoreError(`${path}: store is not writable (${why})`, { hint: 'use --db PATH on a writable file system' });
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Throws the StoreError that opening `path` would, where it can be seen without SQLite: an existing file
 * that is not a database, a file or directory we cannot write (the WAL files go next to the store), or no
 * directory to create it in. Cheap enough to run before starting a program, so a bad --db never starts it.
 */
export function precheckStore(path: string): void {
  refuseDanglingLink(path);
  const stat = statOrNull(path);
  if (stat === null) return checkCreatable(dirname(path), path);
  if (stat.isDirectory()) throw notWritable(path, 'it is a directory');
  if (stat.size > 0 && !startsWithMagic(path)) throw notADatabase(path);
  writable(path, path);
  writable(dirname(path), path);
}

/** A symbolic link to a missing file: SQLite would create the file it points to, wherever that is. */
export function refuseDanglingLink(path: string): void {
  let link: Stats;
  try {
    link = lstatSync(path);
  } catch {
    return;
  }
  if (link.isSymbolicLink() && statOrNull(path) === null) {
    throw new StoreError(`${path} is a symbolic link to a missing file: not creating its target`, {
      hint: 'remove the link, or point --db (or LEARN_DB) at the store itself',
    });
  }
}

function checkCreatable(dir: string, path: string): void {
  const stat = statOrNull(dir);
  if (stat === null) {
    const parent = dirname(dir);
    if (parent === dir) throw notWritable(path, 'no such directory');
    return checkCreatable(parent, path);
  }
  if (!stat.isDirectory()) throw notWritable(path, `${dir} is not a directory`);
  writable(dir, path);
}

function writable(target: string, path: string): void {
  try {
    accessSync(target, constants.W_OK);
  } catch (error) {
    throw notWritable(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function startsWithMagic(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw notWritable(path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}
