// `learn replay POLICY|FILTER.bpf [--mode enforce|log|errno] -- CMD [ARGS...]`: runs CMD under the filter in
// the real kernel, then reports how it ended and what the kernel logged about the filter's denials.
// learn exits with the target's status (128+N for signal N), so `learn replay … -- test-suite` works in CI.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Arch } from '../../abi/arch.js';
import { AUDIT_SOURCES, type AuditSourceName } from '../../audit/sources/select.js';
import { UsageError } from '../../errors.js';
import { readReplayAudit } from '../../replay/audit-violations.js';
import { loadFilter } from '../../replay/filter-cache.js';
import { userCacheDir } from '../../os/private-dir.js';
import { invokerNofileSoft, launchWithLoader, type Launched, type LaunchOptions } from '../../replay/launch.js';
import { launchWithBwrap } from '../../replay/launch-bwrap.js';
import { isReplayMode, REPLAY_MODES, type ReplayMode } from '../../replay/modes.js';
import { hostArch } from '../../replay/native.js';
import { classifyEnd, replayExitCode, type Launcher, type RawEnd } from '../../replay/outcome.js';
import { formatReplayReport, replayJson, type ReplayReport } from '../../replay/report.js';
import { resolveCommand } from '../../replay/resolve-command.js';
import { watchTree } from '../../replay/tree-watch.js';
import type { ReplayTree } from '../../replay/violations.js';
import type { Io } from '../io.js';
import type { ActionResult, RegisterCommand } from '../program.js';
import { VERSION } from '../version.js';
import { archOption } from './catalog.js';

const LAUNCHERS: readonly Launcher[] = ['loader', 'bwrap'];
/** The audit stamp comes from a coarse clock: start the window one tick early. */
const CLOCK_SLACK_MS = 50;

interface ReplayOptions {
  readonly mode: ReplayMode;
  readonly launcher: Launcher;
  readonly arch?: string;
  readonly catalog?: string;
  readonly auditSource: AuditSourceName;
  readonly json?: boolean;
}

export const registerReplay: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('replay')
    .description('run a command under a policy (or compiled filter) in the real kernel and report what the filter denied;\n' +
      'learn exits with the command\'s status (128+N when killed by signal N, 159 for SIGSYS)')
    .argument('<policy>', 'policy file, or a raw filter (.bpf) from learn compile')
    .argument('[command...]', 'the command to run, after --')
    .option('--mode <mode>', `enforce: the policy's actions; log: the default action becomes LOG (the program runs, denials are logged); errno: it becomes ERRNO(EPERM)`, parseMode, 'enforce' as ReplayMode)
    .option('--launcher <launcher>', 'loader: our in-process loader; bwrap: bwrap --seccomp (Debian bubblewrap)', parseLauncher, 'loader' as Launcher)
    .option('--arch <arch>', "the policy's arch (must be this machine's)")
    .option('--catalog <name|file>', 'catalog the policy USEs categories from (default: the one its header names, else default)')
    .option('--audit-source <source>', `where the kernel's SECCOMP records are read: ${AUDIT_SOURCES.filter((s) => s !== 'file').join(', ')}`, parseSource, 'auto' as AuditSourceName)
    .option('--json', 'print the report as JSON on stdout after the command ends')
    .addHelpText('after', '\nExamples:\n  learn replay policies/nginx.policy -- nginx -g "daemon off;"\n  learn replay --mode log app.policy -- ./app --selftest\n  learn replay app.bpf --launcher bwrap -- ./app\n')
    .action(async (file: string, command: string[], o: ReplayOptions) => {
      if (command.length === 0) throw new UsageError('nothing to run: give a command after --, e.g. `learn replay app.policy -- ./app`');
      const arch = replayArch(o.arch);
      const filter = loadFilter({ file: resolve(io.cwd, file), arch, mode: o.mode, catalog: o.catalog, toolVersion: VERSION, cacheDir: userCacheDir(io.env, 'filters') });
      if (filter.arch !== undefined && filter.arch !== arch) io.err(`learn: warning: ${file} checks for ${filter.arch} calls; this machine makes ${arch} calls\n`);
      const env = Object.fromEntries(Object.entries(io.env).filter((e): e is [string, string] => e[1] !== undefined));
      const target = resolveCommand(command[0] ?? '', env.PATH, io.cwd);
      const sinceMs = Date.now() - CLOCK_SLACK_MS;
      const launch: LaunchOptions = { filter: filter.bytes, argv: command, env, nofileSoft: invokerNofileSoft(), cwd: io.cwd };
      const launched = o.launcher === 'bwrap' ? await launchWithBwrap(launch) : launchWithLoader(launch);
      const { end, tree } = await waitForTarget(launched, target.ok ? target.path : null);
      const outcome = classifyEnd(end, o.launcher);
      const audit = outcome.kind === 'not-started' ? null : await readReplayAudit({ source: o.auditSource, sinceMs, tree, expectKill: outcome.kind === 'seccomp-killed' });
      const report: ReplayReport = {
        filter: { file, kind: filter.kind, arch: filter.arch, cache: filter.cache },
        mode: o.mode, launcher: o.launcher, command, pid: launched.pid, outcome, exitCode: replayExitCode(outcome), audit,
      };
      for (const line of formatReplayReport(report)) io.err(`learn replay: ${line}\n`);
      if (o.json) io.out(`${JSON.stringify(replayJson(report), null, 2)}\n`);
      result.exitCode = report.exitCode;
    });
};

/** The loader runs the target on this machine: a filter for another arch would deny its first call. */
function replayArch(option: string | undefined): Arch {
  const host = hostArch();
  const arch = option === undefined ? host : archOption(option);
  if (arch !== host) throw new UsageError(`--arch ${arch}: replay runs the command here, which makes ${host} calls; compile for ${arch} with learn compile --arch instead`);
  return arch;
}

/** Waits for the target, watching its process tree. Ctrl-C reaches the target from the terminal, so it is
 * ignored here (learn still reports); SIGTERM and SIGHUP sent to learn are passed on to the target. */
async function waitForTarget(launched: Launched, exe: string | null): Promise<{ end: RawEnd; tree: ReplayTree }> {
  const watch = launched.pid > 0 ? watchTree(launched.pid, exe) : null;
  const ignore = (): void => undefined;
  const forward = (signal: NodeJS.Signals): void => {
    try {
      process.kill(launched.pid, signal);
    } catch {
      // already gone
    }
  };
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  try {
    const end = await launched.end;
    return { end, tree: watch?.stop() ?? { pids: new Set(), exes: new Set(), rootPid: launched.pid } };
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
    process.off('SIGHUP', forward);
  }
}

function parseMode(value: string): ReplayMode {
  if (!isReplayMode(value)) throw new UsageError(`--mode: '${value}' is not one of ${REPLAY_MODES.join(', ')}`);
  return value;
}

function parseLauncher(value: string): Launcher {
  if (!(LAUNCHERS as readonly string[]).includes(value)) throw new UsageError(`--launcher: '${value}' is not one of ${LAUNCHERS.join(', ')}`);
  return value as Launcher;
}

function parseSource(value: string): AuditSourceName {
  if (!(AUDIT_SOURCES as readonly string[]).includes(value) || value === 'file') {
    throw new UsageError(`--audit-source: '${value}' is not one of ${AUDIT_SOURCES.filter((s) => s !== 'file').join(', ')}`);
  }
  return value as AuditSourceName;
}
