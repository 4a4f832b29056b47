// `learn replay POLICY|FILTER.bpf [--mode enforce|log|errno] -- CMD [ARGS...]`: runs CMD under the filter in
// the real kernel, then reports how it ended and every call the filter did not allow. A supervisor answers
// each such call (seccomp user notification) and records it with its arguments; where it cannot run, the
// kernel's audit records are read instead. The program and everything it starts run in one unit that is
// ended with the replay. learn exits with the target's status (128+N for signal N), so CI can use it.
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Arch } from '../../abi/arch.js';
import { AUDIT_SOURCES, type AuditSourceName } from '../../audit/sources/select.js';
import { encodeProgram } from '../../bpf/encode.js';
import { EnvironmentError, UsageError } from '../../errors.js';
import { readReplayAudit } from '../../replay/audit-violations.js';
import { loadFilter, type LoadedFilter } from '../../replay/filter-cache.js';
import { userCacheDir } from '../../os/private-dir.js';
import { invokerNofileSoft, launchWithLoader, type Launched, type LaunchOptions } from '../../replay/launch.js';
import { launchWithBwrap } from '../../replay/launch-bwrap.js';
import { isReplayMode, REPLAY_MODES, type ReplayMode } from '../../replay/modes.js';
import { hostArch } from '../../replay/native.js';
import { callObservations, type SupervisorLog } from '../../replay/notify-calls.js';
import { notifyingProgram } from '../../replay/notify-filter.js';
import { supervisorUnavailable } from '../../replay/notify-native.js';
import { classifyEnd, replayExitCode, type Launcher, type RawEnd } from '../../replay/outcome.js';
import { formatReplayReport, replayJson, type Monitoring, type ReplayReport } from '../../replay/report.js';
import { resolveCommand } from '../../replay/resolve-command.js';
import { createSupervisor, type Supervisor } from '../../replay/supervisor.js';
import { watchTree } from '../../replay/tree-watch.js';
import { openUnit, type Unit } from '../../replay/unit.js';
import type { ReplayTree } from '../../replay/violations.js';
import { openStore } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { beginRun } from '../../store/writer.js';
import { NO_SPLIT } from '../../trace/container-split.js';
import type { Io } from '../io.js';
import { writeReportFile } from '../report-file.js';
import { parsePositive, type ActionResult, type RegisterCommand } from '../program.js';
import { VERSION } from '../version.js';
import { archOption } from './catalog.js';

const LAUNCHERS: readonly Launcher[] = ['loader', 'bwrap'];
const MONITORS = ['auto', 'supervisor', 'audit'] as const;
type MonitorChoice = (typeof MONITORS)[number];
/** The audit stamp comes from a coarse clock: start the window one tick early. */
const CLOCK_SLACK_MS = 50;

interface ReplayOptions {
  readonly mode: ReplayMode;
  readonly launcher: Launcher;
  readonly monitor: MonitorChoice;
  readonly arch?: string;
  readonly catalog?: string;
  readonly auditSource: AuditSourceName;
  readonly json?: boolean;
  readonly report?: string;
  readonly duration?: number;
  readonly grace: number;
  readonly name?: string;
  readonly db?: string;
  /** undefined: record in log and errno modes. */
  readonly record?: boolean;
}

export const registerReplay: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('replay')
    .description('run a command under a policy (or compiled filter) in the real kernel and report what the filter denied;\n' +
      'learn exits with the command\'s status (128+N when killed by signal N, 159 for SIGSYS)')
    .argument('<policy>', 'policy file, or a raw filter (.bpf) from learn compile')
    .argument('[command...]', 'the command to run, after --')
    .option('--mode <mode>', `enforce: the policy's actions; log: the default action becomes LOG (the program runs, denials are recorded); errno: it becomes ERRNO(EPERM)`, parseMode, 'enforce' as ReplayMode)
    .option('--launcher <launcher>', 'loader: our in-process loader; bwrap: bwrap --seccomp (Debian bubblewrap)', parseLauncher, 'loader' as Launcher)
    .option('--monitor <how>', 'supervisor: a seccomp user-notification supervisor sees every denied call with its arguments (Linux 5.6, loader only); audit: read the kernel\'s audit records; auto: supervisor where it can run', parseMonitor, 'auto' as MonitorChoice)
    .option('--arch <arch>', "the policy's arch (must be this machine's)")
    .option('--catalog <name|file>', 'catalog the policy USEs categories from (default: the one its header names, else default)')
    .option('--audit-source <source>', `where the kernel's SECCOMP records are read: ${AUDIT_SOURCES.filter((s) => s !== 'file').join(', ')}`, parseSource, 'auto' as AuditSourceName)
    .option('--duration <sec>', 'stop the program after SEC seconds (SIGTERM, then everything it started is killed after --grace)', parsePositive('--duration'))
    .option('--grace <sec>', 'seconds between SIGTERM and killing what is left', parsePositive('--grace'), 5)
    .option('--name <profile>', 'profile the recorded denied calls are stored in (default: the one the policy was learned for, else the command\'s basename)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--record', 'store the denied calls as a run of the profile (default in log and errno modes)')
    .option('--no-record', 'do not store them')
    .option('--json', 'print the report as JSON on stdout after the command ends (mixes with its own output: see --report)')
    .option('--report <file>', 'write the report as JSON to FILE')
    .addHelpText('after', '\nExamples:\n  learn replay policies/nginx.policy -- nginx -g "daemon off;"\n  learn replay --mode log app.policy -- ./app --selftest && learn policy app\n  learn replay --duration 60 --report r.json app.policy -- ./server\n  learn replay app.bpf --launcher bwrap -- ./app\n')
    .action(async (file: string, command: string[], o: ReplayOptions) => {
      if (command.length === 0) throw new UsageError('nothing to run: give a command after --, e.g. `learn replay app.policy -- ./app`');
      const stopper = catchStops(o);
      try {
        await replay(file, command, o, io, result, stopper);
      } finally {
        stopper.release();
      }
    });
};

async function replay(file: string, command: string[], o: ReplayOptions, io: Io, result: ActionResult, stopper: Stopper): Promise<void> {
  const arch = replayArch(o.arch);
  const filter = loadFilter({ file: resolve(io.cwd, file), arch, mode: o.mode, catalog: o.catalog, toolVersion: VERSION, cacheDir: userCacheDir(io.env, 'filters') });
  if (filter.arch !== undefined && filter.arch !== arch) io.err(`learn: warning: ${file} checks for ${filter.arch} calls; this machine makes ${arch} calls\n`);
  const monitor = await chooseMonitor(o, filter);
  const env = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
  const target = resolveCommand(command[0] ?? '', env.PATH, io.cwd);
  const sinceMs = Date.now() - CLOCK_SLACK_MS;
  const unit = await openUnit();
  const supervisor = monitor.kind === 'supervisor' ? createSupervisor(filter.bytes) : undefined;
  const launch: LaunchOptions = {
    filter: monitor.kind === 'supervisor' ? monitor.filter : filter.bytes, argv: command, env, nofileSoft: invokerNofileSoft(), cwd: io.cwd,
    enter: unit.enter, ...(supervisor === undefined ? {} : { supervisor }),
  };
  let launched: Launched;
  let ran: Ran;
  try {
    launched = o.launcher === 'bwrap' ? await launchWithBwrap(launch) : launchWithLoader(launch);
    // Audit records carry a pid but no parent: only then is the tree watched, to tell ours from strangers'.
    const exe = target.ok ? target.path : null;
    ran = await runToEnd(launched, monitor.kind === 'audit' ? exe : undefined, unit, stopper);
  } catch (error) {
    await unit.end();
    throw error;
  }
  const outcome = classifyEnd(ran.end, o.launcher);
  const monitoring = outcome.kind === 'not-started' ? null : await readMonitor(monitor, supervisor, { source: o.auditSource, sinceMs, tree: ran.tree, expectKill: outcome.kind === 'seccomp-killed' });
  const recorded = monitoring?.kind === 'supervisor' && (o.record ?? o.mode !== 'enforce')
    ? recordCalls(io, o, command, filter.kind === 'policy' ? readFileSync(resolve(io.cwd, file), 'utf8') : '', monitoring.log, new Date(sinceMs)) : undefined;
  const exitCode = ran.stoppedBy === 'duration' && stoppedCleanly(replayExitCode(outcome)) ? 0 : replayExitCode(outcome);
  const report: ReplayReport = {
    filter: { file, kind: filter.kind, arch: filter.arch, cache: filter.cache },
    mode: o.mode, launcher: o.launcher, command, pid: launched.pid, outcome, exitCode, monitor: monitoring,
    leftovers: { unit: unit.kind, killed: ran.leftovers },
    ...(ran.stoppedBy === undefined ? {} : { stoppedBy: ran.stoppedBy }),
    ...(recorded === undefined ? {} : { recorded }),
  };
  for (const line of formatReplayReport(report)) io.err(`learn replay: ${line}\n`);
  const json = replayJson(report);
  if (o.report !== undefined) writeReportFile(io.cwd, o.report, json);
  if (o.json) io.out(`${JSON.stringify(json, null, 2)}\n`);
  result.exitCode = report.exitCode;
}

type Monitor = { readonly kind: 'supervisor'; readonly filter: Uint8Array } | { readonly kind: 'audit'; readonly fallback: string };

async function chooseMonitor(o: ReplayOptions, filter: LoadedFilter): Promise<Monitor> {
  if (o.monitor === 'audit') return { kind: 'audit', fallback: '--monitor audit' };
  const notifying = notifyingProgram(filter.program);
  const why = o.launcher === 'bwrap' ? 'bwrap loads the filter itself'
    : notifying === null ? 'the filter returns a computed value (RET A), which cannot be rewritten'
    : await supervisorUnavailable();
  if (why === null && notifying !== null) return { kind: 'supervisor', filter: encodeProgram(notifying) };
  if (o.monitor === 'supervisor') throw new EnvironmentError(`--monitor supervisor: ${why}`, { hint: 'use --monitor audit' });
  return { kind: 'audit', fallback: why ?? 'unavailable' };
}

async function readMonitor(monitor: Monitor, supervisor: Supervisor | undefined,
  q: { source: AuditSourceName; sinceMs: number; tree: ReplayTree; expectKill: boolean }): Promise<Monitoring | null> {
  if (monitor.kind === 'audit') return { kind: 'audit', fallback: monitor.fallback, reading: await readReplayAudit(q) };
  const log = await supervisor?.finish();
  if (log === null || log === undefined) throw new EnvironmentError('the supervisor never attached to the program');
  return { kind: 'supervisor', log };
}

/** A --duration stop the program answered by dying of SIGTERM/SIGKILL (itself or its shell's 128+N): learn exits 0, as `learn -- CMD --duration` does. */
function stoppedCleanly(code: number): boolean {
  return code === 128 + 15 || code === 128 + 9;
}

/** The profile a learned policy was written for, from its header (`learned policy for profile 'NAME'`). */
function profileNamedIn(policyText: string): string | undefined {
  for (const line of policyText.split('\n', 4)) {
    const m = /^\/\/ seccomp-learn .*: learned policy for profile '(.+)'$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

function recordCalls(io: Io, o: ReplayOptions, command: readonly string[], policyText: string, log: SupervisorLog, startedAt: Date): ReplayReport['recorded'] {
  const observations = callObservations(log);
  if (observations.length === 0) return undefined;
  const db = resolveDbPath(o.db, io.env, io.cwd);
  const profile = o.name ?? profileNamedIn(policyText) ?? basename(command[0] ?? 'command');
  const store = openStore(db);
  try {
    // Denied calls, like audit records, are what the kernel stopped, not a whole trace: source 'audit'.
    const writer = beginRun(store, { profile, command: ['learn replay', ...command], cwd: io.cwd, source: 'audit', startedAt });
    const counts = { events: observations.reduce((n, r) => n + r.count, 0), parseErrors: 0 };
    writer.write({ observations, processes: [], events: [], split: NO_SPLIT }, counts);
    writer.finish({ status: 'complete', endedAt: new Date(), exitCode: null, signal: null }, counts);
    return { profile, runId: writer.runId, db: store.path };
  } finally {
    store.close();
  }
}

/** The loader runs the target on this machine: a filter for another arch would deny its first call. */
function replayArch(option: string | undefined): Arch {
  const host = hostArch();
  const arch = option === undefined ? host : archOption(option);
  if (arch !== host) throw new UsageError(`--arch ${arch}: replay runs the command here, which makes ${host} calls; compile for ${arch} with learn compile --arch instead`);
  return arch;
}

interface Ran {
  readonly end: RawEnd;
  readonly tree: ReplayTree;
  readonly leftovers: number;
  readonly stoppedBy?: StopReason;
}

type StopReason = 'duration' | NodeJS.Signals;

/** Stops asked for by SIGINT, SIGTERM or SIGHUP to learn, or by --duration. They are caught from the start
 * (the default action would kill learn and leave the program running) and reach the program once it runs. */
interface Stopper {
  /** The program is running: deliver a stop that came early, and any later one. */
  start(pid: number, unit: Unit): void;
  readonly stoppedBy: StopReason | undefined;
  release(): void;
}

/**
 * The first stop sends the signal (SIGTERM for --duration) to the target and, after --grace, ends the whole
 * unit; a second one ends the unit at once.
 */
function catchStops(o: ReplayOptions): Stopper {
  let stoppedBy: StopReason | undefined;
  let running: { pid: number; unit: Unit } | undefined;
  let pending: NodeJS.Signals | undefined;
  const timers: NodeJS.Timeout[] = [];
  const deliver = (signal: NodeJS.Signals): void => {
    if (running === undefined) return void (pending = signal);
    const { pid, unit } = running;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
    timers.push(setTimeout(() => void unit.end(), o.grace * 1000));
  };
  const stop = (why: StopReason, signal: NodeJS.Signals): void => {
    if (stoppedBy !== undefined) return void running?.unit.end();
    stoppedBy = why;
    deliver(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, () => stop(signal, signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return {
    start(pid, unit) {
      running = { pid, unit };
      if (pending !== undefined) deliver(pending);
      if (o.duration !== undefined) timers.push(setTimeout(() => stop('duration', 'SIGTERM'), o.duration * 1000));
    },
    get stoppedBy() {
      return stoppedBy;
    },
    release() {
      timers.forEach(clearTimeout);
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}

/** Waits for the target, watching its process tree unless `exe` is undefined, then ends the unit: nothing the
 * program started outlives the replay. */
async function runToEnd(launched: Launched, exe: string | null | undefined, unit: Unit, stopper: Stopper): Promise<Ran> {
  const watch = launched.pid > 0 && exe !== undefined ? watchTree(launched.pid, exe) : null;
  if (launched.pid > 0) void launched.running.then(() => stopper.start(launched.pid, unit));
  const end = await launched.end;
  const tree = watch?.stop() ?? { pids: new Set<number>(), exes: new Set<string>(), rootPid: launched.pid };
  const leftovers = await unit.end();
  const stoppedBy = stopper.stoppedBy;
  return { end, tree, leftovers, ...(stoppedBy === undefined ? {} : { stoppedBy }) };
}

function parseMode(value: string): ReplayMode {
  if (!isReplayMode(value)) throw new UsageError(`--mode: '${value}' is not one of ${REPLAY_MODES.join(', ')}`);
  return value;
}

function parseLauncher(value: string): Launcher {
  if (!(LAUNCHERS as readonly string[]).includes(value)) throw new UsageError(`--launcher: '${value}' is not one of ${LAUNCHERS.join(', ')}`);
  return value as Launcher;
}

function parseMonitor(value: string): MonitorChoice {
  if (!(MONITORS as readonly string[]).includes(value)) throw new UsageError(`--monitor: '${value}' is not one of ${MONITORS.join(', ')}`);
  return value as MonitorChoice;
}

function parseSource(value: string): AuditSourceName {
  if (!(AUDIT_SOURCES as readonly string[]).includes(value) || value === 'file') {
    throw new UsageError(`--audit-source: '${value}' is not one of ${AUDIT_SOURCES.filter((s) => s !== 'file').join(', ')}`);
  }
  return value as AuditSourceName;
}
