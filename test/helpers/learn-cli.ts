// Running the real `learn` binary and a real, independent strace in e2e tests.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const LEARN = join(ROOT, 'bin/learn.js');
export const FIXTURES = join(ROOT, 'fixtures');

export interface LearnResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Where learn runs unless a test says otherwise: its policies/ and .learn/ must not land in the repo. */
export const WORK_DIR = mkdtempSync(join(tmpdir(), 'learn-cwd-'));
process.on('exit', () => rmSync(WORK_DIR, { recursive: true, force: true }));

/** A scratch directory, removed by the returned function. */
export function scratch(prefix = 'learn-e2e-'): { dir: string; db: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, db: join(dir, 'learn.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment learn runs with: plain output (the test runner sets FORCE_COLOR, which fights NO_COLOR), a
 * filter cache of the test run's own, not the user's, and the strace recorder unless a test asks for another
 * (the eBPF recorder's tests pass --recorder).
 */
function learnEnv(extra: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: join(WORK_DIR, 'cache'), LEARN_RECORDER: 'strace', ...extra };
  delete env.FORCE_COLOR;
  return env;
}


export async function runLearn(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<LearnResult> {
  const r = await execa(process.execPath, [LEARN, ...args], {
    reject: false,
    stdin: 'ignore',
    env: learnEnv(options.env),
    extendEnv: false,
    cwd: options.cwd ?? WORK_DIR,
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The `--json` summary at the end of stdout (the traced program writes to the same stdout before it). */
export function summaryJson<T>(stdout: string): T {
  const at = stdout.lastIndexOf('{\n  "profile"');
  if (at < 0) throw new Error(`no JSON summary in: ${stdout.slice(-300)}`);
  return JSON.parse(stdout.slice(at)) as T;
}

/** Starts learn without waiting, for signal tests. */
export function spawnLearn(args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}) {
  return execa(process.execPath, [LEARN, ...args], { reject: false, stdin: 'ignore', env: learnEnv(options.env), extendEnv: false, cwd: WORK_DIR });
}

/**
 * Per-name call counts from `strace -f -c` (all personality sections summed). strace -c leaves out calls
 * that never return (exit, exit_group) and numbers it has no name for, so compare with `comparableCounts`.
 */
export async function straceCounts(argv: readonly string[], cwd?: string): Promise<Map<string, number>> {
  const s = scratch('learn-c-');
  try {
    const out = join(s.dir, 'c.txt');
    // The same stdio as runLearn gives the program (stdin closed, stdout and stderr pipes): ls and friends
    // call isatty on them, so a different setup changes the ioctl count.
    await execa('strace', ['-f', '-c', '-o', out, '--', ...argv], { stdin: 'ignore', reject: false, ...(cwd === undefined ? {} : { cwd }) });
    const counts = new Map<string, number>();
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      const cols = line.trim().split(/\s+/);
      const name = cols[cols.length - 1] ?? '';
      if (cols.length < 5 || !/^\d+\.\d+$/.test(cols[0] ?? '') || name === 'total') continue;
      counts.set(name, (counts.get(name) ?? 0) + Number(cols[3]));
    }
    return counts;
  } finally {
    s.cleanup();
  }
}

export const NEVER_RETURN = new Set(['exit', 'exit_group']);

/** learn's stored (name → count), merged over arches the way strace -c reports them. */
export function comparableCounts(rows: readonly { name: string; count: number }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (NEVER_RETURN.has(r.name) || r.name.startsWith('syscall_0x')) continue;
    counts.set(r.name, (counts.get(r.name) ?? 0) + r.count);
  }
  return counts;
}

export interface StoredObservation {
  readonly run_id: number;
  readonly arch: string;
  readonly nr: number;
  readonly name: string;
  readonly shape: string;
  readonly count: number;
}

/** Reads the store directly (not through learn's own queries), read-only. */
export function readStore<T>(db: string, fn: (d: Database.Database) => T): T {
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return fn(d);
  } finally {
    d.close();
  }
}

export function observationsOf(db: string, runId: number): StoredObservation[] {
  return readStore(db, (d) => d.prepare('SELECT * FROM observations WHERE run_id = ?').all(runId) as StoredObservation[]);
}

export function runOf(db: string, runId: number): Record<string, unknown> | undefined {
  return readStore(db, (d) => d.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as Record<string, unknown> | undefined);
}

/**
 * Names one side lacks, and counts that differ by more than `tolerance` (a fraction of strace's count,
 * at least `slack` calls: small counts move by one or two). `racy` names may be missing on one side:
 * restart_syscall appears only when a signal lands mid-sleep. `uncounted` names must be on both sides but
 * their counts are not compared: futex calls follow lock contention (45 to 138 for the same python script).
 */
export function countDifferences(got: Map<string, number>, want: Map<string, number>, tolerance = 0, slack = 0,
  racy: readonly string[] = [], uncounted: readonly string[] = []): string[] {
  const names = new Set([...got.keys(), ...want.keys()]);
  const out: string[] = [];
  for (const n of [...names].sort()) {
    const g = got.get(n) ?? 0;
    const w = want.get(n) ?? 0;
    const missing = (g === 0 || w === 0) && !racy.includes(n);
    const off = !uncounted.includes(n) && Math.abs(g - w) > Math.max(Math.ceil(tolerance * w), slack);
    if (missing || off) out.push(`${n}: learn ${g}, strace -c ${w}`);
  }
  return out;
}
