// EDGE (files): POLICY|FILTER.bpf → the filter to run. A policy is compiled once per content: the result is
// kept in the user's private cache (private-dir.ts: only this user and root can write there), named after a
// hash of the policy text, the catalog text, arch, mode and tool version, so a replay of an unchanged policy
// skips parsing and compiling. Nothing beside the policy is ever read: a filter planted there (a dotfile in a
// pull request, a shared checkout) would run the program under whatever it allows. A raw filter given on the
// command line is used as it is: the user chose those bytes.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Arch } from '../abi/arch.js';
import { compilePolicy } from '../bpf/compile.js';
import { inferArch } from '../bpf/disasm.js';
import { decodeProgram, encodeProgram } from '../bpf/encode.js';
import { BpfError } from '../bpf/error.js';
import { validate, type Program } from '../bpf/validate.js';
import { catalogForPolicy } from '../catalog/catalogs.js';
import { includeFromFiles } from '../catalog/include-files.js';
import { parsePolicy } from '../catalog/parser.js';
import { UsageError } from '../errors.js';
import { writeFilesAtomically } from '../os/atomic-write.js';
import { preparePrivateDir, readPrivateFile } from '../os/private-dir.js';
import { resolvePolicy } from '../policy/resolve.js';
import { applyReplayMode, type ReplayMode } from './modes.js';

export interface FilterRequest {
  readonly file: string;
  /** The arch a policy is compiled for (a raw filter says its own). */
  readonly arch: Arch;
  readonly mode: ReplayMode;
  /** Built-in catalog name or path, for the categories a policy USEs. */
  readonly catalog: string | undefined;
  /** Part of the cache key: a new compiler may compile the same text differently. */
  readonly toolVersion: string;
  /** The private cache directory (userCacheDir); null: compile every time. */
  readonly cacheDir: string | null;
}

/** `hit`: read from the cache; `written`: compiled and cached; `unwritable`: compiled, no private cache
 * directory could be used; `none`: a raw filter. */
export type CacheStatus = 'hit' | 'written' | 'unwritable' | 'none';

export interface LoadedFilter {
  readonly kind: 'policy' | 'bpf';
  readonly bytes: Uint8Array;
  readonly program: Program;
  /** The AUDIT_ARCH the filter accepts; undefined for a raw filter that checks none we know. */
  readonly arch: Arch | undefined;
  readonly cache: CacheStatus;
  readonly cacheFile: string | null;
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** A raw filter is binary: named .bpf, or holding a NUL byte (every sock_filter with a small k has some). */
export function isRawFilter(file: string, bytes: Uint8Array): boolean {
  return file.endsWith('.bpf') || bytes.includes(0);
}

function rawProgram(file: string, bytes: Uint8Array): Program {
  try {
    return validate(decodeProgram(bytes));
  } catch (error) {
    if (error instanceof BpfError) throw new UsageError(`${file}: not a filter the kernel would load: ${error.message}`);
    throw error;
  }
}

export function loadFilter(req: FilterRequest): LoadedFilter {
  const input = readInput(req.file);
  if (isRawFilter(req.file, input)) {
    if (req.mode !== 'enforce') {
      throw new UsageError(`${req.file} is a compiled filter: its actions are fixed, so it can only be replayed with --mode enforce`, {
        hint: `give the policy it was compiled from to use --mode ${req.mode}`,
      });
    }
    const program = rawProgram(req.file, input);
    return { kind: 'bpf', bytes: new Uint8Array(input), program, arch: inferArch(program), cache: 'none', cacheFile: null };
  }
  const text = input.toString('utf8');
  const catalog = catalogForPolicy(req.catalog, text);
  const sha = (value: string): string => createHash('sha256').update(value).digest('hex');
  // Parsed first: #include'd files are part of what the filter is compiled from, so of its cache key.
  const included: { file: string; text: string }[] = [];
  const parsed = parsePolicy(text, req.file, { arch: req.arch, include: includeFromFiles(included) });
  const key = sha(JSON.stringify([req.toolVersion, req.arch, req.mode, catalog.name, readFileSync(catalog.file, 'utf8'), text, included]));
  const dir = req.cacheDir !== null && preparePrivateDir(req.cacheDir) ? req.cacheDir : null;
  // One entry per policy file, arch and mode: a new compile replaces the entry of the policy's previous text.
  const prefix = `${sha(req.file).slice(0, 16)}.${req.arch}.${req.mode}.`;
  const cacheFile = dir === null ? null : join(dir, `${prefix}${key}.bpf`);
  const cached = cacheFile === null ? null : readCached(cacheFile);
  if (cached !== null) return { kind: 'policy', bytes: encodeProgram(cached), program: cached, arch: req.arch, cache: 'hit', cacheFile };

  const resolved = resolvePolicy(parsed, req.arch, { catalog, fileName: req.file });
  const { program } = compilePolicy(applyReplayMode(resolved, req.mode));
  const bytes = encodeProgram(program);
  const written = dir !== null && cacheFile !== null && writeCache(dir, cacheFile, prefix, bytes);
  return { kind: 'policy', bytes, program, arch: req.arch, cache: written ? 'written' : 'unwritable', cacheFile: written ? cacheFile : null };
}

/** A cached program from the private cache, or null when there is none (or it is damaged: then it is compiled again). */
function readCached(file: string): Program | null {
  const bytes = readPrivateFile(file);
  if (bytes === null) return null;
  try {
    return validate(decodeProgram(bytes));
  } catch {
    return null;
  }
}

/** Writes atomically (0600) and removes older entries of the same policy, arch and mode. */
function writeCache(dir: string, file: string, prefix: string, bytes: Uint8Array): boolean {
  try {
    writeFilesAtomically([{ path: file, data: bytes }], { mode: 0o600 });
  } catch {
    return false;
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.bpf') && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
  }
  return true;
}
