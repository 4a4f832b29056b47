// EDGE: `#include "name"` read from disk, relative to the directory of the including file (Kafel looks in
// search paths set by its caller; a path relative to the policy is what a policy directory needs).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IncludeReader } from './lexer.js';

/** Largest file an #include reads; a policy is a few kilobytes. */
const MAX_INCLUDE_BYTES = 16 * 1024 * 1024;

/** A reader for parsePolicy; every file it reads is appended to `read` (for cache keys). A relative name of
 * the including file is taken from `cwd`. */
export function includeFromFiles(read: { file: string; text: string }[] = [], cwd = process.cwd()): IncludeReader {
  return (name, from) => {
    const path = resolve(cwd, dirname(from), name);
    let file: string;
    try {
      file = realpathSync(path);
      if (!statSync(file).isFile()) throw new Error('not a regular file');
      if (statSync(file).size > MAX_INCLUDE_BYTES) throw new Error(`larger than ${MAX_INCLUDE_BYTES} bytes`);
    } catch (error) {
      throw new Error((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    }
    const text = readFileSync(file, 'utf8');
    read.push({ file, text });
    return { file, text };
  };
}
