// What an OCI runtime does after it loads the container's seccomp filter: its init's last calls before (and
// including) the entrypoint's execve run under that filter, so every container profile must allow them.
// Measured per runtime (bench/runtime-calls.ts) and kept as data in policies/runtimes/NAME.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, UsageError } from '../errors.js';
import { RUNTIMES, type RuntimeName } from '../trace/container-split.js';

export interface RuntimeCalls {
  readonly runtime: RuntimeName;
  /** `runc --version` / `crun --version` first line on the machine it was measured on. */
  readonly version: string;
  /** ISO date of the measurement. */
  readonly measured: string;
  /** How it was measured (runs, workloads, kernel). */
  readonly how: string;
  /** Syscall names, sorted. */
  readonly syscalls: readonly string[];
}

const cache = new Map<RuntimeName, RuntimeCalls>();

/** The measured calls of a runtime, from the package's policies/runtimes; undefined when never measured. */
export function runtimeCalls(runtime: RuntimeName): RuntimeCalls | undefined {
  const cached = cache.get(runtime);
  if (cached !== undefined) return cached;
  const file = join(runtimeDir(), `${runtime}.json`);
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeCalls>;
  const ok = data.runtime === runtime && typeof data.version === 'string' && typeof data.measured === 'string' &&
    typeof data.how === 'string' && Array.isArray(data.syscalls) && data.syscalls.every((s) => typeof s === 'string');
  if (!ok) throw new EnvironmentError(`${file}: not a runtime-calls file (runtime, version, measured, how, syscalls); is the package complete?`);
  const calls = data as RuntimeCalls;
  cache.set(runtime, calls);
  return calls;
}

/** `runc,crun` / `none` / `auto` for --runtime: auto is null (decided by the profile's runs). */
export function parseRuntimes(value: string): readonly RuntimeName[] | null {
  const text = value.trim();
  if (text === 'auto') return null;
  if (text === 'none') return [];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(RUNTIMES as readonly string[]).includes(n)) throw new UsageError(`unknown runtime '${n}': use ${RUNTIMES.join(', ')}, auto or none`);
  }
  return [...new Set(names)] as RuntimeName[];
}

/** policies/runtimes of the package, from src/container (tsx) or dist/src/container (built). */
function runtimeDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${join('dist', 'src')}`) ? '../../..' : '../..';
  return join(here, up, 'policies', 'runtimes');
}
