// Tracing a target into the store: the part of `learn -- CMD` that `learn diff --baseline` shares. strace
// starts first; the store, the parser and the recorder load while the program runs (its lines wait in the
// trace file), so the program starts as soon as the command line is read.
import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { identityOfCommand, identityOfProcess, type ProgramIdentity } from '../os/process-identity.js';
import { resolveCommand } from '../replay/resolve-command.js';
import type { Store } from '../store/open.js';
import { openUnit } from '../replay/unit.js';
import { precheckStore, resolveDbPath } from '../store/path.js';
import { checkProfileName, profileNameFrom } from '../store/profile-name.js';
import type { RecorderChoice, RecordSession } from '../record/recorder.js';
import { startStrace, type StraceExit, type StraceSession } from '../trace/run-strace.js';
import type { TraceTarget } from '../trace/strace-argv.js';
import type { Io } from './io.js';
import type { RunSummary } from './run-summary.js';
import { recordEbpf, startRecording } from './trace-ebpf.js';

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
  /** Which recorder (default strace); `auto` says which it picked and why. */
  readonly recorder?: RecorderChoice;
}

export interface TraceOutcome {
  readonly summary: RunSummary;
  /** What `learn` exits with: the program's code, 128+N for signal N. */
  readonly exitCode: number;
  readonly store: Store;
}

/** Traces the target into the store. The caller prints the summary and closes the store. */
export async function traceCommand(io: Io, o: TraceOptions): Promise<TraceOutcome> {
  const dbPath = resolveDbPath(o.db, io.env, io.cwd);
  precheckStore(dbPath); // a store we could not open must not cost a run of the program
  const profile = o.name !== undefined ? checkProfileName(o.name) : profileNameFrom(defaultProfileName(o.target));
  const identity = programIdentity(o.target, io);
  const startedAt = new Date();
  let stoppedByUs = false;
  const cleanups: (() => void)[] = [];
  // Signals are caught before strace starts (the default action would kill learn and leave the trace running),
  // and reach the program as soon as there is one.
  let session: RecordSession | undefined;
  let pending: NodeJS.Signals | undefined;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const forward = (): void => {
      if (session === undefined) pending = signal;
      else session.stop(signal);
    };
    process.on(signal, forward);
    cleanups.push(() => process.off(signal, forward));
  }
  // strace 6.1 has no --kill-on-exit: the unit ends what the program leaves behind, even if learn is killed.
  const unit = o.target.kind === 'command' ? await openUnit() : null;
  cleanups.push(() => void unit?.end());
  try {
    const started = await startRecording(io, { recorder: o.recorder ?? 'strace', target: o.target, recordEvents: o.recordEvents, quiet: o.quiet }, () => startStrace({
      target: o.target, pin: o.pin, env: io.env, cwd: io.cwd,
      ...(o.untraced === undefined ? {} : { untraced: o.untraced }),
      ...(unit === null ? {} : { enter: unit.enter }),
    }));
    const live = started.session;
    session = live;
    if (pending !== undefined) live.stop(pending);
    if (o.duration !== undefined) {
      const timers: NodeJS.Timeout[] = [];
      timers.push(setTimeout(() => {
        stoppedByUs = true;
        live.stop('SIGTERM');
        timers.push(setTimeout(() => live.kill(), o.grace * 1000));
      }, o.duration * 1000));
      cleanups.push(() => timers.forEach(clearTimeout));
    }
    if (started.kind === 'ebpf') {
      const command = o.target.kind === 'command' ? o.target.argv : ['--attach', String(o.target.pid)];
      const { summary, exit, store } = await recordEbpf(started.session, io, { profile, identity, startedAt, dbPath, cwd: io.cwd, command, quiet: o.quiet });
      const { learnExit, ...ended } = describeEnd(exit, o.target, stoppedByUs);
      return { summary: { ...summary, ended }, exitCode: learnExit, store };
    }
    return await record(started.session, io, o, { profile, identity, startedAt, dbPath, stoppedByUs: () => stoppedByUs });
  } finally {
    for (const cleanup of cleanups) cleanup();
  }
}

/** Opens the store and follows the trace into a new run; on any failure the trace is killed. */
async function record(session: StraceSession, io: Io, o: TraceOptions,
  run: { profile: string; identity: ProgramIdentity; startedAt: Date; dbPath: string; stoppedByUs: () => boolean }): Promise<TraceOutcome> {
  let store: Store | undefined;
  let following = false;
  try {
    const [{ openStore }, { beginRun }, { createStraceParser }, { FLUSH_CHECK_MS, createRecorder }, { startProgress }, { summarize }] = await Promise.all([
      import('../store/open.js'), import('../store/writer.js'), import('../trace/assemble.js'),
      import('./recorder.js'), import('./progress.js'), import('./run-summary.js'),
    ]);
    store = openStore(run.dbPath);
    const command = o.target.kind === 'command' ? o.target.argv : ['--attach', String(o.target.pid)];
    const writer = beginRun(store, { profile: run.profile, command, cwd: io.cwd, source: 'strace', startedAt: run.startedAt, ...run.identity });
    const recorder = createRecorder(writer, { recordEvents: o.recordEvents });
    const parser = createStraceParser();
    recorder.track(parser);
    const progress = o.quiet ? { stop: () => undefined } : startProgress(io, () => recorder.stats);
    const batches = setInterval(() => recorder.flushIfDue(), FLUSH_CHECK_MS);
    let exit: StraceExit;
    try {
      following = true;
      exit = await session.follow((line) => recorder.add(parser.feed(line)));
    } catch (error) {
      writer.discard();
      throw error;
    } finally {
      clearInterval(batches);
      progress.stop();
    }
    recorder.add(parser.finish());
    recorder.finish({ status: 'complete', endedAt: new Date(), exitCode: exit.exitCode, signal: exit.signal });
    const { learnExit, ...ended } = describeEnd(exit, o.target, run.stoppedByUs());
    const summary = summarize(recorder, { profile: run.profile, runId: writer.runId, db: store.path, status: 'complete', ended });
    return { summary, exitCode: learnExit, store };
  } catch (error) {
    if (!following) await session.abandon();
    store?.close();
    throw error;
  }
}

/** Who the traced program is (runs.exe/uid), so from-audit can tell its records from another program's. */
function programIdentity(target: TraceTarget, io: Io): ProgramIdentity {
  if (target.kind === 'attach') return identityOfProcess(target.pid);
  const found = resolveCommand(target.argv[0] ?? '', io.env.PATH, io.cwd);
  return identityOfCommand(found.ok ? found.path : null);
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
export function describeEnd(exit: Pick<StraceExit, 'exitCode' | 'signal'>, target: TraceTarget, stoppedByUs: boolean): NonNullable<RunSummary['ended']> & { learnExit: number } {
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
