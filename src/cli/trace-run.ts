// Tracing a target into the store: the part of `learn -- CMD` that `learn diff --baseline` shares. It loads
// only what tracing needs, so the program starts quickly.
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { openStore, resolveDbPath, type Store } from '../store/open.js';
import { beginRun } from '../store/writer.js';
import { createStraceParser } from '../trace/assemble.js';
import { startStrace, type StraceExit } from '../trace/run-strace.js';
import type { TraceTarget } from '../trace/strace-argv.js';
import type { Io } from './io.js';
import { startProgress } from './progress.js';
import { BATCH_MS, createRecorder } from './recorder.js';
import { summarize, type RunSummary } from './run-summary.js';

export interface TraceOptions {
  readonly target: TraceTarget;
  readonly name?: string;
  readonly db?: string;
  readonly duration?: number;
  readonly grace: number;
  readonly recordEvents: boolean;
  readonly pin: boolean;
  readonly quiet: boolean;
  /** Syscalls strace need not stop on: `learn diff --baseline` and `--known` record only what is new. */
  readonly untraced?: readonly string[];
}

export interface TraceOutcome {
  readonly summary: RunSummary;
  /** What `learn` exits with: the program's code, 128+N for signal N. */
  readonly exitCode: number;
  readonly store: Store;
}

/** Traces the target into the store. The caller prints the summary and closes the store. */
export async function traceCommand(io: Io, o: TraceOptions): Promise<TraceOutcome> {
  const store = openStore(resolveDbPath(o.db, io.env, io.cwd));
  try {
    return await traceInto(store, io, o);
  } catch (error) {
    store.close();
    throw error;
  }
}

async function traceInto(store: Store, io: Io, o: TraceOptions): Promise<TraceOutcome> {
  const profile = o.name ?? defaultProfileName(o.target);
  const command = o.target.kind === 'command' ? o.target.argv : ['--attach', String(o.target.pid)];
  const writer = beginRun(store, { profile, command, cwd: io.cwd, source: 'strace', startedAt: new Date() });
  const recorder = createRecorder(writer, { recordEvents: o.recordEvents });
  const parser = createStraceParser();
  recorder.track(parser);

  let exit: StraceExit;
  const timers: NodeJS.Timeout[] = [];
  const handlers: [NodeJS.Signals, () => void][] = [];
  let stoppedByUs = false;
  const progress = o.quiet ? { stop: () => undefined } : startProgress(io, () => recorder.stats);
  try {
    const session = await startStrace({
      target: o.target, pin: o.pin, env: io.env, cwd: io.cwd, onLine: (line) => recorder.add(parser.feed(line)),
      ...(o.untraced === undefined ? {} : { untraced: o.untraced }),
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const forward = (): void => session.stop(signal);
      process.on(signal, forward);
      handlers.push([signal, forward]);
    }
    if (o.duration !== undefined) {
      timers.push(setTimeout(() => {
        stoppedByUs = true;
        session.stop('SIGTERM');
        timers.push(setTimeout(() => session.kill(), o.grace * 1000));
      }, o.duration * 1000));
    }
    timers.push(setInterval(() => recorder.flushIfDue(), BATCH_MS));
    exit = await session.done;
  } catch (error) {
    writer.discard();
    throw error;
  } finally {
    for (const t of timers) clearTimeout(t);
    for (const [signal, forward] of handlers) process.off(signal, forward);
    progress.stop();
  }
  recorder.add(parser.finish());
  recorder.finish({ status: 'complete', endedAt: new Date(), exitCode: exit.exitCode, signal: exit.signal });
  const { learnExit, ...ended } = describeEnd(exit, o.target, stoppedByUs);
  return {
    summary: summarize(recorder, { profile, runId: writer.runId, db: store.path, status: 'complete', ended }),
    exitCode: learnExit,
    store,
  };
}

function defaultProfileName(target: TraceTarget): string {
  if (target.kind === 'command') return basename(target.argv[0] ?? 'command');
  try {
    return basename(readlinkSync(`/proc/${target.pid}/exe`));
  } catch {
    return `pid-${target.pid}`;
  }
}

/** The program's end in words, and learn's exit code: its code, 128+N for signal N; 0 when our --duration stop ended it. */
export function describeEnd(exit: StraceExit, target: TraceTarget, stoppedByUs: boolean): NonNullable<RunSummary['ended']> & { learnExit: number } {
  const who = target.kind === 'command' ? 'program' : `process ${target.pid}`;
  const after = stoppedByUs ? ' (stopped by --duration)' : '';
  if (target.kind === 'attach') {
    // strace ends on the SIGINT that detaches it; only its own failure is an error here.
    return { exitCode: exit.exitCode, signal: exit.signal, how: `detached from ${who}${after}`, learnExit: exit.exitCode ?? 0 };
  }
  if (exit.signal !== null) {
    const n = constants.signals[exit.signal] ?? 0;
    const byUs = stoppedByUs && (exit.signal === 'SIGTERM' || exit.signal === 'SIGKILL');
    return { exitCode: null, signal: exit.signal, how: `${who} killed by ${exit.signal}${after}`, learnExit: byUs ? 0 : 128 + n };
  }
  const code = exit.exitCode ?? 1;
  // A shell whose child our stop killed reports it as 128+N: that end is ours too.
  const byUs = stoppedByUs && (code === 128 + constants.signals.SIGTERM || code === 128 + constants.signals.SIGKILL);
  return { exitCode: code, signal: null, how: `${who} exited with code ${code}${after}`, learnExit: byUs ? 0 : code };
}
