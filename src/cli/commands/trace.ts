import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkOutputDir } from '../../os/atomic-write.js';
import { UsageError } from '../../errors.js';
import { isRecorderChoice, RECORDERS, type RecorderChoice } from '../../record/recorder.js';
import { PIN_DEFAULT, type TraceTarget } from '../../trace/strace-argv.js';

import type { Io } from '../io.js';
import { parsePositive, type ActionResult, type RegisterCommand } from '../program.js';
import { writeReportFile } from '../report-file.js';
import { printSummary } from '../run-summary.js';
import { traceCommand } from '../trace-run.js';
import { addPolicyOptions, policyDate, policyOutputOptions, type PolicyFlags } from '../policy-options.js';

export const registerTrace: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  const command = program
    .command('trace', { isDefault: true })
    .summary('record a command\'s syscalls (eBPF or strace) into the store (the default command)')
    .description('Run CMD recorded by eBPF (where the kernel allows) or `strace -f`, stream its syscalls into the store under a profile, and report how it ended.\n' +
      'learn exits with the program\'s exit code (128+N when killed by signal N).')
    .argument('[command...]', 'the command to trace, after --')
    .option('--name <name>', 'profile name (default: the command\'s basename)')
    .option('--db <path>', 'store file (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--duration <sec>', 'stop the program after SEC seconds (SIGTERM, then SIGKILL after --grace)', parsePositive('--duration'))
    .option('--grace <sec>', 'seconds between SIGTERM and SIGKILL', parsePositive('--grace'), 5)
    .option('--attach <pid>', 'trace a running process instead of starting one (strace -p)', parsePid)
    .option('--recorder <kind>', 'auto (eBPF where the kernel allows it, else strace; says which and why), ebpf or strace (default: $LEARN_RECORDER or auto)', parseRecorder)
    .option('--record-events', 'also store every call, not only the aggregate (strace only)')
    .option('--pin', `under strace, run strace and the program on one CPU (default: ${PIN_DEFAULT ? 'on' : 'off'})`)
    .option('--no-pin', 'leave CPU affinity alone')
    .option('--quiet', 'no progress and no summary on stderr')
    .option('--json', 'print the summary as JSON on stdout (after the program\'s own output: see --report)')
    .option('--report <file>', 'write the summary as JSON to FILE')
    .option('--known <policy>', 'record only what POLICY does not already allow outright (strace --seccomp-bpf), and list it; writes no policy')
    .option('--no-policy', 'only store the trace; do not write the learned policy');
  addPolicyOptions(command)
    .addHelpText('after', '\nAfter tracing, the profile\'s policy is learned and written to --out (see `learn policy --help`).\n' +
      '\nExamples:\n  learn -- ls -la /usr\n  learn --duration 30 --name web -- nginx -g \'daemon off;\'\n  learn --attach 1234 --duration 10\n' +
      '  learn --known policies/app.policy -- ./app --self-test   # what does it do beyond its policy?')
    .action(async (command: string[], opts: Record<string, unknown>) => {
      const target = traceTarget(command, opts.attach as number | undefined);
      const policyOptions = policyOutputOptions(opts as unknown as PolicyFlags, policyDate(io.env));
      const known = opts.known === undefined ? undefined : await (await import('../known-policy.js')).readKnownPolicy(opts.known as string, io);
      // The learner and emitters load while the program runs, not before it starts.
      // An --out we could not write must not cost a run of the program: found now, not after the trace.
      if (opts.policy !== false && known === undefined) checkOutputDir(resolve(io.cwd, policyOptions.outDir));
      const writer = opts.policy === false || known !== undefined ? undefined : import('../write-policy.js');
      writer?.catch(() => undefined); // awaited below; this only keeps a tracing error the one reported
      const outcome = await traceCommand(io, {
        target,
        ...(opts.name === undefined ? {} : { name: opts.name as string }),
        ...(opts.db === undefined ? {} : { db: opts.db as string }),
        ...(opts.duration === undefined ? {} : { duration: opts.duration as number }),
        grace: opts.grace as number,
        recordEvents: opts.recordEvents === true,
        pin: (opts.pin as boolean | undefined) ?? PIN_DEFAULT,
        quiet: opts.quiet === true,
        recorder: (opts.recorder as RecorderChoice | undefined) ?? parseRecorder(io.env.LEARN_RECORDER || 'auto', 'LEARN_RECORDER'),
        ...(known === undefined ? {} : { untraced: known.untraced }),
      });
      try {
        printSummary(io, outcome.summary, { json: opts.json === true, quiet: opts.quiet === true });
        if (opts.report !== undefined) writeReportFile(io.cwd, opts.report as string, outcome.summary);
        if (known !== undefined) known.report(io, outcome);
        else if (writer !== undefined && outcome.summary.events > 0) {
          const { writePolicyOutputs } = await writer;
          // --quiet silences the policy summary as it does the trace summary.
          writePolicyOutputs(outcome.store.db, outcome.summary.profile, policyOptions, opts.quiet === true ? { ...io, err: () => undefined } : io);
        }
      } finally {
        outcome.store.close();
      }
      result.exitCode = outcome.exitCode;
    });
};

function parsePid(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new UsageError(`--attach needs a process id, got '${value}'`);
  return Number(value);
}

function parseRecorder(value: string, what = '--recorder'): RecorderChoice {
  if (!isRecorderChoice(value)) throw new UsageError(`${what} must be one of ${RECORDERS.join(', ')}, got '${value}'`);
  return value;
}

function traceTarget(command: string[], attach: number | undefined): TraceTarget {
  if (attach !== undefined && command.length > 0) throw new UsageError('give either --attach PID or a command, not both');
  if (attach !== undefined) return { kind: 'attach', pid: attach };
  if (command.length === 0) throw new UsageError('nothing to trace: give a command after --, e.g. `learn -- ls -la`', { hint: 'learn --help lists the commands' });
  return { kind: 'command', argv: command };
}

