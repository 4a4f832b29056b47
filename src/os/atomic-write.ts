// EDGE (files): every output learn writes. Each file is written to a temp file in its own directory, fsynced,
// and renamed over the target only once every file of the set is staged: a full disk or a crash leaves the
// previous files as they were, and the formats of one policy change together. The rename replaces a
// symbolic link rather than writing through it; writing through one must be asked for (`followSymlinks`).
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fchmodSync, fsyncSync, lstatSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OutputError } from '../errors.js';

export interface OutputFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

export interface WriteOptions {
  /** Write to the file a symbolic link at the path points to (else refuse: the link may lead anywhere). */
  readonly followSymlinks?: boolean;
  /** Permissions of new files (default 0666 less the umask; a replaced file keeps its own). */
  readonly mode?: number;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const SYMLINK_HINT = 'remove the link, write elsewhere, or pass --follow-symlinks to write to the file it points to';

function causeOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code === undefined ? String(error) : `${e.code}${e.code === 'ENOSPC' ? ' (no space left on the device)' : e.code === 'EROFS' ? ' (read-only file system)' : ''}`;
}

function fail(path: string, error: unknown): OutputError {
  if (error instanceof OutputError) return error;
  return new OutputError(`cannot write ${path}: ${causeOf(error)}`, { cause: error });
}

/** The file the data goes to: `path` itself, or with followSymlinks the end of its link chain. */
function targetOf(path: string, o: WriteOptions): string {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return path; // new file
  }
  if (stat.isSymbolicLink()) {
    if (o.followSymlinks !== true) throw new OutputError(`${path} is a symbolic link: not writing through it`, { hint: SYMLINK_HINT });
    try {
      return realpathSync(path);
    } catch {
      throw new OutputError(`${path} is a symbolic link to a missing file: not creating its target`, { hint: 'remove the link' });
    }
  }
  if (!stat.isFile()) throw new OutputError(`cannot write ${path}: ${stat.isDirectory() ? 'it is a directory' : 'not a regular file'}`);
  return path;
}

function tempName(target: string): string {
  // Short and independent of the target's name, so a target name near NAME_MAX still has a temp file.
  return join(dirname(target), `.learn-${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes, fsyncs and closes a new temp file next to `target`; returns its path. */
function stage(target: string, data: string | Uint8Array, newMode?: number): string {
  const tmp = tempName(target);
  let keep: number | undefined = newMode;
  try {
    keep ??= statSync(target).mode & 0o7777; // a replaced file keeps its permissions
  } catch {
    // a new file: 0666 less the umask
  }
  const fd = openSync(tmp, CREATE, keep ?? 0o666);
  let written = false;
  try {
    if (keep !== undefined) fchmodSync(fd, keep); // exactly, not less the umask
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(tmp, { force: true });
  }
  return tmp;
}

function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes every file or none: all temp files first, then the renames. Throws one OutputError naming the path. */
export function writeFilesAtomically(files: readonly OutputFile[], o: WriteOptions = {}): void {
  const staged: { tmp: string; target: string; path: string }[] = [];
  const dirs = new Set<string>();
  try {
    for (const f of files) {
      const target = targetOf(f.path, o);
      try {
        staged.push({ tmp: stage(target, f.data, o.mode), target, path: f.path });
      } catch (error) {
        throw fail(f.path, error);
      }
    }
    // Renames in one directory do not fail for want of space; what is still staged on an error is removed below.
    for (let next = staged.shift(); next !== undefined; next = staged.shift()) {
      try {
        renameSync(next.tmp, next.target);
      } catch (error) {
        rmSync(next.tmp, { force: true });
        throw fail(next.path, error);
      }
      dirs.add(dirname(next.target));
    }
  } finally {
    for (const s of staged) rmSync(s.tmp, { force: true });
  }
  for (const dir of dirs) {
    try {
      syncDir(dir);
    } catch {
      // the data is renamed in place; a directory that cannot be fsynced (some FUSE mounts) is not an error
    }
  }
}

/** mkdir -p without `recursive: true`, which spins forever under /proc on Node 20. */
export function ensureDir(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) ensureDir(parent);
  mkdirSync(dir);
}

/** Bytes a probe writes: a whole block, so a full file system fails here and not after a long trace. */
const PROBE_BYTES = 4096;

/**
 * Throws the OutputError that writing into `dir` would: it cannot be created, is read-only, is full. Cheap
 * enough to run before a program is traced, so a bad --out never costs a run.
 */
export function checkOutputDir(dir: string): void {
  try {
    ensureDir(dir);
  } catch (error) {
    throw fail(dir, error);
  }
  if (!statSync(dir).isDirectory()) throw new OutputError(`cannot write into ${dir}: not a directory`);
  let tmp: string | undefined;
  try {
    tmp = stage(join(dir, '.learn-probe'), new Uint8Array(PROBE_BYTES));
  } catch (error) {
    throw new OutputError(`cannot write into ${dir}: ${causeOf(error)}`, { cause: error });
  } finally {
    if (tmp !== undefined) rmSync(tmp, { force: true });
  }
}
