// EDGE: follows a regular file another process is writing (strace's -o) and hands over its complete lines.
// A file instead of a FIFO because strace writes each line in two unbuffered write()s: into a FIFO each one
// wakes the reader on another CPU, into a file it costs nothing. We poll instead, and free what we have read
// with fallocate(PUNCH_HOLE) so a long trace keeps only the unread tail on disk.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_LENGTH } from './assemble.js';

export interface TailOptions {
  /** How long to wait after finding nothing new. */
  readonly intervalMs: number;
  /** Called with each complete line, in order, without its newline; null for a line longer than
   * MAX_LINE_LENGTH, which is dropped as it arrives rather than gathered. */
  readonly onLine: (line: string | null) => void;
  /** Called once, when the first bytes arrive (the writer has surely opened the file by then). */
  readonly onFirstData?: () => void;
}

export interface FileTail {
  /** Lines delivered so far. */
  readonly lines: () => number;
  /**
   * The writer is gone: reads to the end, delivers a last line without newline, closes the file. Throws
   * what onLine threw while polling (polling stops there).
   */
  finish(): void;
}

const CHUNK = 1 << 20;
/** Read at most this much per turn of the event loop, so timers (store batches, progress) keep running. */
const TURN_BUDGET = 8 * CHUNK;
/** Free read bytes once this many have piled up; punched ranges are whole MiB. */
const PUNCH_EVERY = 16 * CHUNK;
const FALLOC_FL_KEEP_SIZE = 1;
const FALLOC_FL_PUNCH_HOLE = 2;

type Fallocate = (fd: number, mode: number, offset: number, len: number) => number;
/** undefined: not tried yet; null: unavailable (no koffi, or the filesystem refused). */
let fallocate: Fallocate | null | undefined;
let loading: Promise<void> | undefined;

/** koffi only when a trace gets big enough to need it: short runs never load the native module. */
function loadFallocate(): void {
  loading ??= import('koffi').then(
    (koffi) => {
      const libc = koffi.load('libc.so.6');
      fallocate = libc.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)') as Fallocate;
    },
    () => {
      fallocate = null;
    },
  );
}

/** Opens `path` (which must exist) read-write — punching holes needs a writable descriptor — and follows it. */
export function tailFile(path: string, o: TailOptions): FileTail {
  const fd = openSync(path, 'r+');
  const buffer = Buffer.allocUnsafe(CHUNK);
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let offset = 0;
  let punched = 0;
  let lines = 0;
  let cancel = (): void => undefined;
  let closed = false;
  let failure: { error: unknown } | undefined;

  let overlong = false;

  const deliver = (text: string): void => {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines++;
      o.onLine(overlong || nl - start > MAX_LINE_LENGTH ? null : text.slice(start, nl));
      overlong = false;
      start = nl + 1;
    }
    partial = text.slice(start);
    if (partial.length > MAX_LINE_LENGTH) {
      partial = '';
      overlong = true;
    }
  };

  /** Reads up to `budget` bytes; true when it stopped at the end of what is written so far. */
  const readSome = (budget: number): boolean => {
    for (let got = 0; got < budget; ) {
      const n = readSync(fd, buffer, 0, CHUNK, offset);
      if (n === 0) return true;
      if (offset === 0) o.onFirstData?.();
      offset += n;
      got += n;
      deliver(partial + decoder.write(buffer.subarray(0, n)));
    }
    return false;
  };

  const punch = (): void => {
    const upTo = Math.floor(offset / CHUNK) * CHUNK;
    if (upTo - punched < PUNCH_EVERY || fallocate === null) return;
    if (fallocate === undefined) return loadFallocate();
    if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, punched, upTo - punched) !== 0) fallocate = null;
    else punched = upTo;
  };

  const poll = (): void => {
    if (closed) return;
    let atEnd: boolean;
    try {
      atEnd = readSome(TURN_BUDGET);
      punch();
    } catch (error) {
      failure = { error };
      return;
    }
    if (atEnd) {
      const t = setTimeout(poll, o.intervalMs);
      cancel = () => clearTimeout(t);
    } else {
      const t = setImmediate(poll);
      cancel = () => clearImmediate(t);
    }
  };
  const first = setTimeout(poll, 0);
  cancel = () => clearTimeout(first);

  return {
    lines: () => lines,
    finish() {
      if (closed) return;
      closed = true;
      cancel();
      try {
        if (failure !== undefined) throw failure.error;
        readSome(Infinity);
        const last = partial + decoder.end();
        if (last !== '' || overlong) {
          lines++;
          o.onLine(overlong ? null : last);
        }
      } finally {
        closeSync(fd);
      }
    },
  };
}
