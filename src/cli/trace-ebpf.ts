// The recorder hook of `learn -- CMD`: choose strace or eBPF (saying why under `auto`), start it, and for
// eBPF write the helper's report into a run as the strace path writes its trace.
import { basename } from 'node:path';
import { EnvironmentError } from '../errors.js';
import { chooseRecorder, choiceLine } from '../record/choose.js';
import { machineFacts, unmetPrecondition } from '../record/ebpf/preconditions.js';
import { createDeltaTracker, exitOf, reportRows, runStatus, type HelperReport } from '../record/ebpf/report.js';
import { EbpfUnavailable, startEbpf, type EbpfSession } from '../record/ebpf/session.js';
import type { RecorderChoice } from '../record/recorder.js';
import type { StraceSession } from '../trace/run-strace.js';
import { RUNTIMES } from '../trace/container-split.js';
import type { TraceTarget } from '../trace/strace-argv.js';
import type { ProgramIdentity } from '../os/process-identity.js';
import type { Io } from './io.js';
import type { RunSummary } from './run-summary.js';
import type { Store } from '../store/open.js';

export type Started =
  | { readonly kind: 'strace'; readonly session: StraceSession }
  | { readonly kind: 'ebpf'; readonly session: EbpfSession };

export interface StartOptions {
  readonly recorder: RecorderChoice;
  readonly target: TraceTarget;
  readonly recordEvents: boolean;
  readonly quiet: boolean;
}

/** Commands that start a container runtime (container-split.ts tells its calls from the container's). */
const CONTAINER_COMMANDS: ReadonlySet<string> = new Set([...RUNTIMES, 'podman']);

/** Starts the chosen recorder; under `auto`, an eBPF start that fails before the program runs falls back to strace. */
export async function startRecording(io: Io, o: StartOptions, strace: () => Promise<StraceSession>): Promise<Started> {
  if (o.recorder === 'strace') return { kind: 'strace', session: await strace() };
  const containerRuntime = o.target.kind === 'command' && CONTAINER_COMMANDS.has(basename(o.target.argv[0] ?? ''));
  const choice = chooseRecorder(o.recorder, unmetPrecondition(machineFacts()), { everyCall: o.recordEvents, containerRuntime });
  const say = (line: string): void => {
    if (!o.quiet && o.recorder === 'auto') io.err(line);
  };
  if (choice.kind === 'strace') {
    say(choiceLine(choice));
    return { kind: 'strace', session: await strace() };
  }
  // The store's modules load while the helper loads and attaches its probes (another process, another CPU).
  void Promise.all([import('../store/open.js'), import('../store/writer.js')]).catch(() => undefined);
  try {
    const session = await startEbpf({ target: o.target, env: io.env, cwd: io.cwd });
    say(choiceLine(choice));
    return { kind: 'ebpf', session };
  } catch (error) {
    if (!(error instanceof EbpfUnavailable)) throw error;
    if (o.recorder === 'ebpf') {
      throw new EnvironmentError(`--recorder ebpf cannot run: ${error.message}`, { hint: 'use --recorder strace (or auto)' });
    }
    say(choiceLine({ kind: 'strace', why: `the eBPF recorder did not start: ${error.message}` }));
    return { kind: 'strace', session: await strace() };
  }
}

export interface EbpfRun {
  readonly profile: string;
  readonly identity: ProgramIdentity;
  readonly startedAt: Date;
  readonly dbPath: string;
  readonly cwd: string;
  readonly command: readonly string[];
  readonly quiet: boolean;
}

/** Opens the store and writes the eBPF helper's report into a new run once the tree has ended. */
export async function recordEbpf(session: EbpfSession, io: Io, run: EbpfRun): Promise<{ summary: RunSummary; exit: ReturnType<typeof exitOf>; store: Store }> {
  let store: Store | undefined;
  try {
    const [{ openStore }, { beginRun }] = await Promise.all([import('../store/open.js'), import('../store/writer.js')]);
    store = openStore(run.dbPath);
    const writer = beginRun(store, { profile: run.profile, command: run.command, cwd: run.cwd, source: 'strace', recorder: 'ebpf', startedAt: run.startedAt, ...run.identity });
    // Every snapshot is committed as it comes, so a learn killed with -9 keeps what was counted until then.
    const delta = createDeltaTracker();
    const commit = (r: HelperReport) => {
      const rows = reportRows(r);
      writer.write(delta(rows), { events: rows.stats.events, parseErrors: 0 });
      return rows.stats;
    };
    let report: HelperReport;
    try {
      report = await session.follow(commit);
    } catch (error) {
      writer.discard();
      throw error;
    }
    const stats = commit(report);
    const exit = exitOf(report.exit);
    const status = runStatus(report);
    writer.finish({ status, endedAt: new Date(), exitCode: exit.exitCode, signal: exit.signal }, { events: stats.events, parseErrors: 0 });
    if (report.drops > 0 && !run.quiet) io.err(`learn: ${report.drops} count${report.drops === 1 ? '' : 's'} dropped (a kernel map was full): the run is incomplete\n`);
    const summary: RunSummary = {
      profile: run.profile, runId: writer.runId, db: store.path, status,
      events: stats.events, syscalls: stats.syscallsPerArch, processes: stats.processes, parseErrors: 0, problems: [], container: stats.split,
    };
    return { summary, exit, store };
  } catch (error) {
    await session.abandon();
    store?.close();
    throw error;
  }
}
