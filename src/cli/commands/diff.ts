// `learn diff OLD NEW` and `learn diff --baseline POLICY -- CMD`: semantic policy drift, for review and CI.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isArch, type Arch } from '../../abi/arch.js';
import { UsageError } from '../../errors.js';
import { constantName } from '../../learn/constants.js';
import { toObservedShapes } from '../../learn/observations.js';
import { printPolicy } from '../../policy/emit/kafel.js';
import { emitOci } from '../../policy/emit/oci.js';
import type { Action } from '../../policy/model.js';
import { runObservations } from '../../store/queries.js';
import { ARG_SENSITIVE, parseShapeKey } from '../../trace/arg-values.js';
import { FAIL_ON, gateFails, parseFailOn, type FailOn } from '../../diff/gate.js';
import { learnedSide, type LearnedSide } from '../../diff/learn-side.js';
import { hasDrift, type DiffSide, type PolicyDiff } from '../../diff/model.js';
import { catalogFor, readSide, type InputKind, type ReadContext } from '../../diff/read-side.js';
import { renderGithub } from '../../diff/render-github.js';
import { renderJson } from '../../diff/render-json.js';
import { renderMarkdown } from '../../diff/render-markdown.js';
import { renderText } from '../../diff/render-text.js';
import { diffPolicies } from '../../diff/semantic.js';
import { untracedSyscalls, withBaselineShapes } from '../../diff/trace-set.js';
import { PIN_DEFAULT } from '../../trace/strace-argv.js';
import type { Io } from '../io.js';
import { parsePositive, type ActionResult, type RegisterCommand } from '../program.js';
import { parseAction } from '../policy-options.js';

const FORMATS = ['text', 'json', 'markdown', 'github'] as const;
type Format = (typeof FORMATS)[number];

interface DiffOptions {
  readonly baseline?: string;
  readonly update?: boolean;
  readonly full?: boolean;
  readonly format: Format;
  readonly failOn: FailOn[];
  readonly catalog?: string;
  readonly db?: string;
  readonly arch: Arch;
  readonly defaultAction: Action;
  readonly name?: string;
  readonly duration?: number;
  readonly grace: number;
  readonly pin?: boolean;
  readonly quiet?: boolean;
}

const HELP = `
Inputs: a policy file in the policy language, an OCI seccomp .json file, or a profile name in the store
(--db), in any combination. Both sides are compared by meaning: categories expanded, argument rules
decided by value, so renaming, reordering or regrouping shows no drift.

Exit codes:
  0  no drift matched by --fail-on (or --update accepted it)
  1  drift that --fail-on matches: added (default: new syscalls, wider argument rules, a more permissive
     default), removed (syscalls or argument values no longer allowed), any, risky (added calls whose
     risk is high or critical); combine with commas
  2  usage or input error (missing file, policy syntax error at file:line:col, unknown profile)

Examples:
  learn diff policies/app.policy policies/app.new.policy
  learn diff policies/app.policy app --db .learn/learn.db --format markdown
  learn diff --baseline policies/app.policy -- ./app --self-test
  learn diff --baseline policies/app.policy --update -- ./app --self-test

GitHub Actions:
  - name: seccomp policy drift
    run: npx learn diff --baseline policies/app.policy --format github -- ./app --self-test
`;

export const registerDiff: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('diff')
    .summary('show what a policy gains or loses against a baseline; fail CI on drift')
    .description('Compare two policies (OLD NEW), or trace CMD and compare what it needs with --baseline.')
    .argument('[inputs...]', 'OLD NEW, or with --baseline the command to trace after --')
    .option('--baseline <policy>', 'trace the command after -- and compare with this policy file')
    .option('--update', 'with --baseline: accept the drift and rewrite the baseline file')
    .option('--full', 'with --baseline: trace every syscall (default: only those the baseline does not allow outright)')
    .option('--format <format>', `report format: ${FORMATS.join(', ')}`, parseFormat, 'text' as Format)
    .option('--fail-on <kinds>', `exit 1 on drift of these kinds: ${FAIL_ON.join(', ')}`, parseFailOn, ['added'] as FailOn[])
    .option('--catalog <name|file>', 'category catalog (default: the one a policy header names, else default)')
    .option('--db <path>', 'store file for profile names (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--arch <arch>', 'architecture to compare', parseArch, hostArch())
    .option('--default-action <action>', 'default action of policies learned here (default: the baseline\'s, else KILL)', parseAction)
    .option('--name <name>', 'with --baseline: profile name for the traced run')
    .option('--duration <sec>', 'with --baseline: stop the program after SEC seconds', parsePositive('--duration'))
    .option('--grace <sec>', 'seconds between SIGTERM and SIGKILL', parsePositive('--grace'), 5)
    .option('--pin', 'run strace and the program on one CPU')
    .option('--no-pin', 'leave CPU affinity alone')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', HELP)
    .action(async (inputs: string[], o: DiffOptions) => {
      result.exitCode = o.baseline !== undefined ? await diffBaseline(io, o.baseline, inputs, o) : diffTwo(io, inputs, o);
    });
};

function diffTwo(io: Io, inputs: readonly string[], o: DiffOptions): number {
  if (inputs.length !== 2) throw new UsageError(`diff takes two inputs (OLD NEW), got ${inputs.length}`, { hint: 'or trace a command: learn diff --baseline POLICY -- CMD' });
  if (o.update) throw new UsageError('--update works with --baseline only');
  const ctx = readContext(io, o, o.defaultAction ?? { kind: 'kill-process' });
  const before = readSide(inputs[0]!, ctx).side;
  const after = readSide(inputs[1]!, ctx).side;
  return report(io, diffPolicies(before, after), before, o);
}

async function diffBaseline(io: Io, baselinePath: string, command: readonly string[], o: DiffOptions): Promise<number> {
  if (command.length === 0) throw new UsageError('--baseline needs a command to trace after --', { hint: 'learn diff --baseline app.policy -- ./app' });
  // Tracing (the strace runner and parser, the store writer) is loaded only here, so `diff OLD NEW` does not pay
  // for it; the files are fetched while the baseline is read.
  const loading = import('../trace-run.js');
  loading.catch(() => undefined); // awaited below; this only keeps a bad baseline's error the one reported
  const base = readSide(baselinePath, readContext(io, o, o.defaultAction ?? { kind: 'kill-process' }));
  if (base.kind === 'profile') throw new UsageError(`--baseline needs a policy file: cannot read ${baselinePath}`);
  const ctx = readContext(io, o, o.defaultAction ?? base.side.policy.defaultAction);
  const untraced = o.full ? undefined : untracedSyscalls(base.side.policy);
  const { traceCommand } = await loading;
  const outcome = await traceCommand(io, {
    target: { kind: 'command', argv: command },
    ...(o.name === undefined ? {} : { name: o.name }),
    ...(o.db === undefined ? {} : { db: o.db }),
    ...(o.duration === undefined ? {} : { duration: o.duration }),
    grace: o.grace,
    recordEvents: false,
    pin: o.pin ?? PIN_DEFAULT,
    quiet: o.quiet === true,
    ...(untraced === undefined ? {} : { untraced }),
  });
  let learned: LearnedSide;
  try {
    const { shapes } = toObservedShapes(runObservations(outcome.store.db, outcome.summary.runId), parseShapeKey, ARG_SENSITIVE);
    const native = shapes.filter((s) => s.arch === o.arch);
    learned = learnedSide(untraced ? withBaselineShapes(native, base.side.policy) : native, catalogFor(ctx), o.arch, {
      profile: outcome.summary.profile,
      defaultAction: ctx.defaultAction,
      label: `traced: ${command.join(' ')}`,
    });
  } finally {
    outcome.store.close();
  }
  if (outcome.exitCode !== 0 && o.quiet !== true) io.err(`learn: warning: the traced program exited with status ${outcome.exitCode}\n`);
  const diff = diffPolicies(base.side, learned.side);
  const code = report(io, diff, base.side, o);
  if (!o.update || !hasDrift(diff)) return code;
  writeFileSync(resolve(io.cwd, baselinePath), base.kind === 'oci' ? emitOci(learned.side.policy).text : printPolicy(learned.policy, { constantName }));
  io.err(`learn: updated baseline ${baselinePath}\n`);
  return 0;
}

function report(io: Io, diff: PolicyDiff, baseline: DiffSide, o: DiffOptions): number {
  io.out(render(diff, baseline, o.format, io));
  return gateFails(diff, o.failOn) ? 1 : 0;
}

function render(diff: PolicyDiff, baseline: DiffSide, format: Format, io: Io): string {
  switch (format) {
    case 'text': return renderText(diff, io.color);
    case 'json': return renderJson(diff);
    case 'markdown': return renderMarkdown(diff);
    case 'github': return renderGithub(diff, baseline.source);
  }
}

function readContext(io: Io, o: DiffOptions, defaultAction: Action): ReadContext {
  return { cwd: io.cwd, env: io.env, arch: o.arch, catalog: o.catalog, db: o.db, defaultAction };
}

function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${value}'`);
  return value as Format;
}

function parseArch(value: string): Arch {
  if (!isArch(value)) throw new UsageError(`--arch must be x86_64, i386 or aarch64, got '${value}'`);
  return value;
}

function hostArch(): Arch {
  return process.arch === 'arm64' ? 'aarch64' : process.arch === 'ia32' ? 'i386' : 'x86_64';
}
