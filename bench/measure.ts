// Timing helpers for the benchmarks: wall time and peak RSS of a child process, medians.
import { readFileSync } from 'node:fs';
import { execa, type Options } from 'execa';

export interface Measured {
  readonly ms: number;
  /** Peak resident set (VmHWM) in MiB, sampled every 20 ms until exit; null when never sampled. */
  readonly peakMiB: number | null;
  readonly exitCode: number | undefined;
  readonly stdout: string;
}

function vmHwmKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]);
  } catch {
    return null;
  }
}

/**
 * Runs `file args` and measures it. The program's stdout goes into a pipe that is drained and dropped
 * (GNU tar skips reading files when its archive is /dev/null, so /dev/null would flatter it).
 */
export async function measure(file: string, args: readonly string[], options: Options = {}): Promise<Measured> {
  const started = process.hrtime.bigint();
  const child = execa(file, args, { reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false, ...options });
  let peak: number | null = null;
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (out.length < 64 * 1024) out += chunk.toString();
  });
  child.stderr?.resume();
  const timer = setInterval(() => {
    const kib = child.pid === undefined ? null : vmHwmKiB(child.pid);
    if (kib !== null) peak = Math.max(peak ?? 0, kib);
  }, 20);
  const result = await child;
  clearInterval(timer);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { ms, peakMiB: peak === null ? null : peak / 1024, exitCode: result.exitCode, stdout: out };
}

/** `measure`, failing the benchmark when the program does not exit 0 (a broken build must not look fast). */
export async function measureOk(file: string, args: readonly string[], options: Options = {}): Promise<Measured> {
  const m = await measure(file, args, options);
  if (m.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: exit ${m.exitCode}`);
  return m;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Runs each variant `runs` times, interleaved (A B C A B C …) so drift on a shared machine hits all alike. */
export async function interleaved<K extends string, T extends Measured = Measured>(variants: Readonly<Record<K, () => Promise<T>>>, runs: number): Promise<Record<K, T[]>> {
  const keys = Object.keys(variants) as K[];
  const out = Object.fromEntries(keys.map((k) => [k, [] as T[]])) as Record<K, T[]>;
  for (let i = 0; i < runs; i++) for (const k of keys) out[k].push(await variants[k]());
  return out;
}

export const fmt = {
  ms: (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`),
  rate: (perSec: number): string => (perSec >= 1e6 ? `${(perSec / 1e6).toFixed(2)} M/s` : `${(perSec / 1e3).toFixed(0)} k/s`),
  ratio: (x: number): string => `${x.toFixed(2)}×`,
  mib: (m: number | null): string => (m === null ? 'n/a' : `${m.toFixed(0)} MiB`),
};
