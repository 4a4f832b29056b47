// Test programs written in C, compiled with gcc once per source version: the binary is cached in the temp dir
// under the source's hash, so test files and runs share it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = join(tmpdir(), 'learn-test-cache');

/** Compiles test/helpers/NAME.c (with `flags` added) and returns the binary's path. */
export function buildHelperProgram(name: string, flags: readonly string[] = []): string {
  const source = fileURLToPath(new URL(`../../../test/helpers/${name}.c`, import.meta.url));
  const hash = createHash('sha256').update(readFileSync(source)).update(flags.join(' ')).digest('hex').slice(0, 16);
  const out = join(CACHE, `${name}-${hash}`);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  // Built under a private name and renamed, so a parallel run never executes a half-written binary.
  const partial = `${out}.${process.pid}`;
  execFileSync('gcc', ['-O1', '-Wall', '-Werror', ...flags, '-o', partial, source], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(partial, out);
  return out;
}
