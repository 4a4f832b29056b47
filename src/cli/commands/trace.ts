import { readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { openStore, resolveDbPath, type Store } from '../../store/open.js';
import { beginRun } from '../../store/writer.js';
import { createStraceParser } from '../../trace/assemble.js';
import { startStrace, type StraceExit } from '../../trace/run-strace.js';
import { PIN_DEFAULT, type TraceTarget } from '../../trace/strace-argv.js';

export { PIN_DEFAULT };
import type { Io } from '../io.js';
import { parsePositive, type ActionResult, type RegisterCommand } from '../program.js';
import { startProgress } from '../progress.js';
import { createRecorder, BATCH_MS } from '../recorder.js';
import { printSummary, summarize, type RunSummary } from '../run-summary.js';
import { addPolicyOptions, policyOutputOptions, type PolicyFlags } from '../policy-options.js';
import { writePolicyOutputs } from '../write-policy.js';
import { readSide } from '../../diff/read-side.js';
import { allowedOutright, untracedSyscalls } from '../../diff/trace-set.js';
import { KILL_PROCESS } from '../../policy/model.js';
import type { ResolvedPolicy } from '../../policy/resolved.js';
import { hostArch } from '../../replay/native.js';
import { runObservations } from '../../store/queries.js';

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

export const registerTrace: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  const command = program
    .command('trace', { isDefault: true })
    .summary('trace a command under strace and store its syscalls (the default command)')
    .description('Run CMD under `strace -f`, stream its syscalls into the store under a profile, and report how it ended.\n' +
      'learn exits with the program\'s exit code (128+N when killed by signal N).')
    .argument('[command...]', 'the command to trace, after --')
    .option('--name <name>', 'profile name (default: the command\'s basename)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--duration <sec>', 'stop the program after SEC seconds (SIGTERM, then SIGKILL after --grace)', parsePositive('--duration'))
    .option('--grace <sec>', 'seconds between SIGTERM and SIGKILL', parsePositive('--grace'), 5)
    .option('--attach <pid>', 'trace a running process instead of starting one (strace -p)', parsePid)
    .option('--record-events', 'also store every call, not only the aggregate')
    .option('--pin', `run strace and the program on one CPU (default: ${PIN_DEFAULT ? 'on' : 'off'})`)
    .option('--no-pin', 'leave CPU affinity alone')
    .option('--quiet', 'no progress and no summary on stderr')
    .option('--json', 'print the summary as JSON on stdout')
    .option('--known <policy>', 'record only what POLICY does not already allow outright (strace --seccomp-bpf), and list it; writes no policy')
    .option('--no-policy', 'only store the trace; do not write the learned policy');
  addPolicyOptions(command)
    .addHelpText('after', '\nAfter tracing, the profile\'s policy is learned and written to --out (see `learn policy --help`).\n' +
      '\nExamples:\n  learn -- ls -la /usr\n  learn --duration 30 --name web -- nginx -g \'daemon off;\'\n  learn --attach 1234 --duration 10\n' +
      '  learn --known policies/app.policy -- ./app --self-test   # what does it do beyond its policy?')
    .action(async (command: string[], opts: Record<string, unknown>) => {
      const target = traceTarget(command, opts.attach as number | undefined);
      const policyOptions = policyOutputOptions(opts as unknown as PolicyFlags, new Date());
      const known = opts.known === undefined ? undefined : readKnownPolicy(opts.known as string, io);
      const outcome = await traceCommand(io, {
        target,
        ...(opts.name === undefined ? {} : { name: opts.name as string }),
        ...(opts.db === undefined ? {} : { db: opts.db as string }),
        ...(opts.duration === undefined ? {} : { duration: opts.duration as number }),
        grace: opts.grace as number,
        recordEvents: opts.recordEvents === true,
        pin: (opts.pin as boolean | undefined) ?? PIN_DEFAULT,
        quiet: opts.quiet === true,
        ...(known === undefined ? {} : { untraced: untracedSyscalls(known) }),
      });
      try {
        printSummary(io, outcome.summary, { json: opts.json === true, quiet: opts.quiet === true });
        if (known !== undefined) reportBeyondKnown(io, outcome, known, opts.known as string);
        else if (opts.policy !== false && outcome.summary.events > 0) {
          // --quiet silences the policy summary as it does the trace summary.
          writePolicyOutputs(outcome.store.db, outcome.summary.profile, policyOptions, opts.quiet === true ? { ...io, err: () => undefined } : io);
        }
      } finally {
        outcome.store.close();
      }
      result.exitCode = outcome.exitCode;
    });
};

/** The --known policy, resolved for this machine's arch. */
function readKnownPolicy(file: string, io: Io): ResolvedPolicy {
  const ctx = { cwd: io.cwd, env: io.env, arch: hostArch(), catalog: undefined, db: undefined, defaultAction: KILL_PROCESS };
  return readSide(file, ctx).side.policy;
}

/** With --known only calls outside the policy's outright allowances were recorded (and the fork marker). */
function reportBeyondKnown(io: Io, outcome: TraceOutcome, known: ResolvedPolicy, file: string): void {
  const outright = new Set(allowedOutright(known));
  const names = [...new Set(runObservations(outcome.store.db, outcome.summary.runId)
    .filter((o) => !(o.arch === known.arch && outright.has(o.name)))
    .map((o) => (o.arch === known.arch ? o.name : `${o.name} (${o.arch})`)))].sort();
  io.err(names.length === 0
    ? `learn: nothing beyond what ${file} allows outright\n`
    : `learn: beyond what ${file} allows outright: ${names.join(', ')} (check the argument rules with \`learn check ${file} --run ${outcome.summary.runId}\`)\n`);
}

function parsePid(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--attach needs a process id, got '${value}'`);
  return Number(value);
}

function traceTarget(command: string[], attach: number | undefined): TraceTarget {
  if (attach !== undefined && command.length > 0) throw new UsageError('give either --attach PID or a command, not both');
  if (attach !== undefined) return { kind: 'attach', pid: attach };
  if (command.length === 0) throw new UsageError('nothing to trace: give a command after --, e.g. `learn -- ls -la`', { hint: 'learn --help lists the commands' });
  return { kind: 'command', argv: command };
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
  return { exitCode: code, signal: null, how: `${who} exited with code ${code}${after}`, learnExit: code };
}
