// EDGE (file system) for `learn from-strace`: which files a FILE argument means, whether each is worth
// reading, and reading one line by line without holding it in memory.
import { createReadStream, closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { MAX_LINE_LENGTH } from '../trace/assemble.js';

export interface TraceFile {
  readonly path: string;
  /** From an `-ff` name `PREFIX.<pid>`: the pid of lines that carry none. */
  readonly defaultPid: number | undefined;
}

const PID_SUFFIX = /\.(\d+)$/;


/**
 * A path that exists is one file; a path that does not but has `PATH.<pid>` siblings is an `-ff` prefix
 * (every sibling, by pid). Anything else is a usage error.
 */
export function expandTraceArgs(args: readonly string[], cwd: string): TraceFile[] {
  return args.flatMap((arg) => {
    const path = resolve(cwd, arg);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      const siblings = ffSiblings(path);
      if (siblings.length === 0) throw new UsageError(`${arg}: no such file (nor ${arg}.<pid> files from strace -ff)`);
      return siblings;
    }
    if (isDir) throw new UsageError(`${arg}: is a directory (for strace -ff output give the prefix, e.g. ${join(arg, 'trace')})`);
    return [{ path, defaultPid: pidSuffix(path) }];
  });
}

function pidSuffix(path: string): number | undefined {
  const m = PID_SUFFIX.exec(basename(path));
  return m === null ? undefined : Number(m[1]);
}

function ffSiblings(prefix: string): TraceFile[] {
  const base = `${basename(prefix)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(prefix));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(base) && /^\d+$/.test(n.slice(base.length)))
    .map((n) => ({ path: join(dirname(prefix), n), defaultPid: Number(n.slice(base.length)) }))
    .sort((a, b) => (a.defaultPid ?? 0) - (b.defaultPid ?? 0));
}

/** Why a file is skipped without reading it (empty, or binary by its first 8 KiB), or null. */
export function skipReason(path: string): string | null {
  if (statSync(path).size === 0) return 'empty file';
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(8192);
    const n = readSync(fd, head, 0, head.length, 0);
    return looksBinary(head.subarray(0, n)) ? 'binary file (not a strace log)' : null;
  } finally {
    closeSync(fd);
  }
}

/** 1 for the control bytes text does not hold (all but \t \n \v \f \r and ESC). */
const CONTROL = new Uint8Array(256);
for (let b = 0; b < 32; b++) CONTROL[b] = b >= 9 && b <= 13 ? 0 : 1;
CONTROL[0x1b] = 0;
CONTROL[0x7f] = 1;

/**
 * Binary: more than 1 byte in 32 a control character. Random or compressed data has ~1 in 10, executables and
 * databases far more; a strace log written to stderr holds only what the traced program wrote there besides
 * (a NUL or two must not throw the whole capture away).
 */
export function looksBinary(head: Buffer): boolean {
  let control = 0;
  for (const b of head) control += CONTROL[b]!;
  return control * 32 > head.length;
}

/**
 * Calls `onLine` for each line (without its newline, `\r\n` tolerated), streaming in large chunks. Each
 * chunk is decoded up to its last newline (a newline byte never sits inside a UTF-8 sequence), so no
 * decoder state or big string concatenation is needed; the unfinished tail waits for the next chunk. A line
 * longer than MAX_LINE_LENGTH is never gathered: `onLine(null)` stands for it.
 */
export async function forEachLine(path: string, onLine: (line: string | null) => void): Promise<void> {
  let tail: Buffer[] = [];
  let tailBytes = 0;
  let overlong = false;
  const emit = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      onLine(text.charCodeAt(nl - 1) === 13 ? text.slice(start, nl - 1) : text.slice(start, nl));
      start = nl + 1;
    }
    if (start < text.length) onLine(text.slice(start)); // the last line had no newline
  };
  for await (const data of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const chunk = data as Buffer;
    const last = chunk.lastIndexOf(10);
    if (last < 0) {
      // a line longer than a chunk: gather its pieces, up to the limit
      tailBytes += chunk.length;
      if (tailBytes > MAX_LINE_LENGTH) overlong = true;
      tail = overlong ? [] : [...tail, chunk];
      continue;
    }
    let start = 0;
    if (tail.length > 0 || overlong) {
      // the line begun in earlier chunks, on its own (not the whole chunk copied behind it)
      start = chunk.indexOf(10) + 1;
      if (overlong || tailBytes + start > MAX_LINE_LENGTH) onLine(null);
      else emit(Buffer.concat([...tail, chunk.subarray(0, start)]).toString('utf8'));
    }
    emit(chunk.toString('utf8', start, last + 1));
    tail = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    tailBytes = chunk.length - (last + 1);
    overlong = false;
  }
  if (overlong) onLine(null);
  else if (tail.length > 0) emit(Buffer.concat(tail).toString('utf8'));
}

/** The profile name a file suggests: `logs/nginx.f_o.txt` → `nginx`, `trace.1234` → `trace`. */
export function profileNameFromFile(path: string): string {
  return basename(path).replace(PID_SUFFIX, '').split('.')[0] || 'trace';
}
