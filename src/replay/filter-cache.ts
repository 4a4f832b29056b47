// EDGE (files): POLICY|FILTER.bpf → the filter to run. A policy is compiled once per content: the result is
// kept beside it as `.NAME.ARCH.MODE.HASH.bpf`, where HASH covers the policy text, the catalog text, arch,
// mode and tool version, so a replay of an unchanged policy skips parsing and compiling. A raw filter is
// used as it is.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
}

/** `hit`: read from the cache; `written`: compiled and cached; `unwritable`: compiled, the directory refused
 * the cache file; `none`: a raw filter. */
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
  // Parsed first: #include'd files are part of what the filter is compiled from, so of its cache key.
  const included: { file: string; text: string }[] = [];
  const parsed = parsePolicy(text, req.file, { arch: req.arch, include: includeFromFiles(included) });
  const key = createHash('sha256')
    .update(JSON.stringify([req.toolVersion, req.arch, req.mode, catalog.name, readFileSync(catalog.file, 'utf8'), text, included]))
    .digest('hex')
    .slice(0, 16);
  const prefix = `.${basename(req.file)}.${req.arch}.${req.mode}.`;
  const cacheFile = join(dirname(req.file), `${prefix}${key}.bpf`);
  const cached = readCached(cacheFile);
  if (cached !== null) return { kind: 'policy', bytes: encodeProgram(cached), program: cached, arch: req.arch, cache: 'hit', cacheFile };

  const resolved = resolvePolicy(parsed, req.arch, { catalog, fileName: req.file });
  const { program } = compilePolicy(applyReplayMode(resolved, req.mode));
  const bytes = encodeProgram(program);
  const written = writeCache(cacheFile, prefix, bytes);
  return { kind: 'policy', bytes, program, arch: req.arch, cache: written ? 'written' : 'unwritable', cacheFile: written ? cacheFile : null };
}

/** A cached program, or null when there is none (or it is damaged: then it is compiled again). */
function readCached(file: string): Program | null {
  try {
    return validate(decodeProgram(readFileSync(file)));
  } catch {
    return null;
  }
}

/** Writes atomically and removes older entries of the same policy, arch and mode. */
function writeCache(file: string, prefix: string, bytes: Uint8Array): boolean {
  const dir = dirname(file);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.bpf') && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
  }
  return true;
}
