// EDGE: runs the eBPF helper. The program starts only once every probe is attached (the helper holds it on
// a pipe); if the helper cannot load or attach in time, the program has not run and the caller may record
// with strace instead. The helper dies with learn (PR_SET_PDEATHSIG), and its probes with it.
import { spawn } from 'node:child_process';
import { EnvironmentError, UsageError } from '../../errors.js';
import { resolveCommand } from '../../replay/resolve-command.js';
import type { TraceTarget } from '../../trace/strace-argv.js';
import type { RecordSession } from '../recorder.js';
import { captureEntries, formatSpec } from './capture-spec.js';
import { HELPER_PATH } from './helper-path.js';
import { parseReport, type HelperReport } from './report.js';

/** How long loading and attaching may take before `auto` gives up on eBPF (measured: 0.05–0.15 s; loaded, ~1 s). */
export const ATTACH_TIMEOUT_MS = 10_000;
const REPORT_FD = 3;

/** The helper could not start recording; the program has not run. */
export class EbpfUnavailable extends Error {
  override readonly name = 'EbpfUnavailable';
}

export interface EbpfOptions {
  readonly target: TraceTarget;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly attachTimeoutMs?: number;
  /** Another helper binary (tests). */
  readonly helper?: string;
}

export interface EbpfSession extends RecordSession {
  /** The program's pid (or the attached one). */
  readonly programPid: number;
  /**
   * Settles with the helper's final report once the tree has ended (or learn stopped an attach); meanwhile
   * `onSnapshot` gets the running totals every second.
   */
  follow(onSnapshot?: (report: HelperReport) => void): Promise<HelperReport>;
}

export async function startEbpf(o: EbpfOptions): Promise<EbpfSession> {
  const args = ['--report-fd', String(REPORT_FD), '--spec', formatSpec(captureEntries())];
  if (o.target.kind === 'command') {
    const name = o.target.argv[0] ?? '';
    const found = resolveCommand(name, o.env.PATH, o.cwd);
    if (!found.ok) throw new UsageError(`command not found: ${name}`);
    args.push('--exec', found.path, '--', ...o.target.argv);
  } else {
    args.push('--attach', String(o.target.pid));
  }
  const attach = o.target.kind === 'attach';
  const child = spawn(o.helper ?? HELPER_PATH, args, {
    env: o.env, cwd: o.cwd,
    stdio: [attach ? 'ignore' : 'inherit', 'inherit', 'inherit', 'pipe'],
  });
  // The lines of the last whole snapshot, and those after it (the next one, or the exit and `end`).
  let last: string[] = [];
  let current: string[] = [];
  let partial = '';
  let onLine: ((line: string) => void) | undefined;
  let onSnapshot: ((report: HelperReport) => void) | undefined;
  let snapshotError: unknown;
  const stream = child.stdio[REPORT_FD] as NodeJS.ReadableStream;
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      onLine?.(line);
      if (line !== 'snap') {
        current.push(line);
        continue;
      }
      last = [...current, line];
      current = [];
      try {
        onSnapshot?.(parseReport(last));
      } catch (error) {
        snapshotError ??= error; // reported by follow(), not thrown out of a stream handler
      }
    }
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolveEnd) => {
    child.once('error', (error) => resolveEnd({ error }));
    child.once('close', (code, signal) => resolveEnd({ code, signal }));
  });
  const helperPid = child.pid;

  // Wait for `ready` (probes attached, program released) or `fail`, within the bound.
  const first = await new Promise<string>((resolveFirst) => {
    const timer = setTimeout(() => resolveFirst(`timeout`), o.attachTimeoutMs ?? ATTACH_TIMEOUT_MS);
    const settle = (line: string): void => {
      clearTimeout(timer);
      onLine = undefined;
      resolveFirst(line);
    };
    const early = current.find((l) => l.startsWith('ready ') || l.startsWith('fail '));
    if (early !== undefined) return settle(early);
    onLine = (line) => {
      if (line.startsWith('ready ') || line.startsWith('fail ')) settle(line);
    };
    void ended.then(() => settle(current.find((l) => l.startsWith('fail ')) ?? 'exited'));
  });
  if (!first.startsWith('ready ') || helperPid === undefined) {
    child.kill('SIGKILL'); // the gate closes with it: a program not yet released never runs
    const result = await ended;
    const why = first === 'timeout' ? `the probes did not attach within ${(o.attachTimeoutMs ?? ATTACH_TIMEOUT_MS) / 1000} s`
      : first.startsWith('fail ') ? first.slice(5)
      : 'error' in result ? `cannot run the eBPF helper: ${result.error.message}`
      : `the eBPF helper exited early (${result.signal ?? `code ${result.code}`})`;
    if (first.startsWith('fail cannot run ')) throw new EnvironmentError(why);
    if (attach && /^no such process/.test(why)) throw new UsageError(why);
    throw new EbpfUnavailable(why);
  }
  const programPid = Number(first.slice(6));
  let exited = false;
  void ended.then(() => {
    exited = true;
  });
  const signalHelper = (signal: NodeJS.Signals): void => {
    if (exited) return;
    try {
      process.kill(helperPid, signal);
    } catch {
      // already gone
    }
  };
  return {
    pid: helperPid,
    programPid,
    // The helper forwards it to the program; for an attach it detaches instead (not ours to signal).
    stop: (signal) => signalHelper(signal),
    // SIGUSR1: the helper SIGKILLs every task of the tree, then reports as usual. An attached process is not
    // ours to kill: the helper dies instead, which detaches it.
    kill: () => signalHelper(attach ? 'SIGKILL' : 'SIGUSR1'),
    async follow(snapshot) {
      onSnapshot = snapshot;
      const result = await ended;
      if (partial !== '') current.push(partial);
      if ('error' in result) throw new EnvironmentError(`the eBPF helper failed: ${result.error.message}`);
      if (snapshotError !== undefined) throw snapshotError;
      const report = parseReport([...last, ...current]);
      const failed = current.find((l) => l.startsWith('fail '));
      if (failed !== undefined) throw new EnvironmentError(`the eBPF helper failed: ${failed.slice(5)}`);
      if (!report.complete) throw new EnvironmentError(`the eBPF helper ended without a report (${result.signal ?? `code ${result.code}`})`);
      return report;
    },
    async abandon() {
      signalHelper('SIGUSR1');
      const timer = setTimeout(() => signalHelper('SIGKILL'), 2000);
      await ended;
      clearTimeout(timer);
    },
  };
}
