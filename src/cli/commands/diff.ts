// `learn diff OLD NEW` and `learn diff --baseline POLICY -- CMD`: semantic policy drift, for review and CI.
// Before a traced program starts only the baseline and the trace set are needed; the learner, the diff and the
// renderers (diff-report.ts) load while it runs.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkOutputDir } from '../../os/atomic-write.js';
import type { Command } from 'commander';
import { catalogNamedIn } from '../../catalog/catalogs.js';
import { baselineHeader } from '../../diff/baseline-header.js';
import { runningArch, type Arch } from '../../abi/arch.js';
import { UsageError } from '../../errors.js';
import { FAIL_ON, parseFailOn, type FailOn } from '../../diff/gate.js';
import { hasDrift } from '../../diff/model.js';
import { DIFF_FORMATS, type DiffFormat } from '../../diff/formats.js';
import { catalogFor, readSide, type ReadContext } from '../../diff/read-side.js';
import { untracedSyscalls } from '../../diff/trace-set.js';
import type { Action } from '../../policy/model.js';
import { PIN_DEFAULT } from '../../trace/strace-argv.js';
import type { Io } from '../io.js';
import { parseArch, parsePositive, type ActionResult, type RegisterCommand } from '../program.js';
import { FOLLOW_SYMLINKS_FLAG, FOLLOW_SYMLINKS_HELP, parseAction, policyDate } from '../policy-options.js';
import { traceCommand } from '../trace-run.js';

interface DiffOptions {
  readonly baseline?: string;
  readonly update?: boolean;
  readonly followSymlinks?: boolean;
  readonly full?: boolean;
  readonly format: DiffFormat;
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

The report opens with one sentence per risk level ("1 high: now creates AF_INET TCP sockets"; "28 low via
EventLoop, NetworkIo"), default-action changes first, then every change ordered by risk and category, argument
rules as before → after in plain words. Formats: text, markdown (a PR comment), json, github (one annotation
per risk level; the markdown also goes to $GITHUB_STEP_SUMMARY when set), gitlab (a Code Quality report for
artifacts:reports:codequality), html (one self-contained page).

Exit codes:
  0  no drift matched by --fail-on (or --update accepted it)
  1  drift that --fail-on matches: added (default: new syscalls, wider argument rules, a more permissive
     default), removed (syscalls or argument values no longer allowed), any, risk>=LEVEL (anything granted
     at LEVEL or above: critical, high, medium, low; \`risky\` means risk>=high); combine with commas
  2  usage or input error (missing file, policy syntax error at file:line:col, unknown profile)

With --baseline the run is stored in the profile the baseline's header names (else --name, else the
command's name); --update rewrites the baseline as \`learn policy\` writes that profile.

Examples:
  learn diff policies/app.policy policies/app.new.policy
  learn diff policies/app.policy app --db .learn/learn.db --format markdown
  learn diff --baseline policies/app.policy --fail-on risk>=high -- ./app --self-test
  learn diff --baseline policies/app.policy --update -- ./app --self-test

GitHub Actions:
  - name: seccomp policy drift
    run: npx learn diff --baseline policies/app.policy --format github -- ./app --self-test
GitLab CI:
  script: npx learn diff --baseline policies/app.policy --format gitlab -- ./app --self-test > seccomp-drift.json
  artifacts: { when: always, reports: { codequality: seccomp-drift.json } }
`;

export const registerDiff: RegisterCommand = (program: Command, io: Io, result: ActionResult) => {
  program
    .command('diff')
    .summary('show what a policy gains or loses against a baseline; fail CI on drift')
    .description('Compare two policies (OLD NEW), or trace CMD and compare what it needs with --baseline.')
    .argument('[inputs...]', 'OLD NEW, or with --baseline the command to trace after --')
    .option('--baseline <policy>', 'trace the command after -- and compare with this policy file')
    .option('--update', 'with --baseline: accept the drift: rewrite the baseline as `learn policy` writes its profile (traces every call)')
    .option(FOLLOW_SYMLINKS_FLAG, FOLLOW_SYMLINKS_HELP)
    .option('--full', 'with --baseline: trace every syscall (default: only those the baseline does not allow outright)')
    .option('--format <format>', `report format: ${DIFF_FORMATS.join(', ')}`, parseFormat, 'text' as DiffFormat)
    .option('--fail-on <kinds>', `exit 1 on drift of these kinds: ${FAIL_ON.join(', ')}, risky (= risk>=high)`, parseFailOn, ['added'] as FailOn[])
    .option('--catalog <name|file>', 'category catalog (default: the one a policy header names, else default)')
    .option('--db <path>', 'store file for profile names (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--arch <arch>', 'architecture to compare', parseArch, runningArch() ?? 'x86_64')
    .option('--default-action <action>', 'default action of policies learned here (default: the baseline\'s, else KILL)', parseAction)
    .option('--name <name>', 'with --baseline: profile for the traced run (default: the one the baseline\'s header names)')
    .option('--duration <sec>', 'with --baseline: stop the program after SEC seconds', parsePositive('--duration'))
    .option('--grace <sec>', 'seconds between SIGTERM and SIGKILL', parsePositive('--grace'), 5)
    .option('--pin', 'run strace and the program on one CPU')
    .option('--no-pin', 'leave CPU affinity alone')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', HELP)
    .action(async (inputs: string[], o: DiffOptions) => {
      result.exitCode = o.baseline !== undefined ? await diffBaseline(io, o.baseline, inputs, o) : await diffTwo(io, inputs, o);
    });
};

async function diffTwo(io: Io, inputs: readonly string[], o: DiffOptions): Promise<number> {
  if (inputs.length !== 2) throw new UsageError(`diff takes two inputs (OLD NEW), got ${inputs.length}`, { hint: 'or trace a command: learn diff --baseline POLICY -- CMD' });
  if (o.update) throw new UsageError('--update works with --baseline only');
  const ctx = readContext(io, o, o.defaultAction ?? { kind: 'kill-process' });
  const before = (await readSide(inputs[0]!, ctx)).side;
  const after = (await readSide(inputs[1]!, ctx)).side;
  const { reportDiff } = await import('../diff-report.js');
  return reportDiff(io, before, after, o).code;
}

async function diffBaseline(io: Io, baselinePath: string, command: readonly string[], o: DiffOptions): Promise<number> {
  if (command.length === 0) throw new UsageError('--baseline needs a command to trace after --', { hint: 'learn diff --baseline app.policy -- ./app' });
  const base = await readSide(baselinePath, readContext(io, o, o.defaultAction ?? { kind: 'kill-process' }));
  if (base.kind === 'profile') throw new UsageError(`--baseline needs a policy file: cannot read ${baselinePath}`);
  // A learned baseline names its profile, catalog and learning options: the run joins that profile.
  const text = readFileSync(resolve(io.cwd, baselinePath), 'utf8');
  const header = baselineHeader(text);
  const catalog = o.catalog ?? catalogNamedIn(text) ?? 'default';
  const ctx = readContext(io, { ...o, catalog }, o.defaultAction ?? base.side.policy.defaultAction);
  // --update learns the whole profile again, so the run must see every call.
  const untraced = o.full || o.update ? undefined : untracedSyscalls(base.side.policy);
  const name = o.name ?? header.profile;
  if (o.update) checkOutputDir(dirname(resolve(io.cwd, baselinePath))); // before the trace, not after it
  const reporting = import('../diff-report.js');
  reporting.catch(() => undefined); // awaited below; this only keeps a tracing error the one reported
  const outcome = await traceCommand(io, {
    target: { kind: 'command', argv: command },
    ...(name === undefined ? {} : { name }),
    ...(o.db === undefined ? {} : { db: o.db }),
    ...(o.duration === undefined ? {} : { duration: o.duration }),
    grace: o.grace,
    recordEvents: false,
    pin: o.pin ?? PIN_DEFAULT,
    quiet: o.quiet === true,
    ...(untraced === undefined ? {} : { untraced }),
  });
  try {
    const { reportDiff, tracedSide, updatedBaseline, writeBaseline } = await reporting;
    if (outcome.exitCode !== 0 && o.quiet !== true) io.err(`learn: warning: the traced program exited with status ${outcome.exitCode}\n`);
    if (!o.update) {
      const learned = tracedSide(outcome, {
        arch: o.arch, catalog: catalogFor(ctx), defaultAction: ctx.defaultAction, label: `traced: ${command.join(' ')}`,
        ...(untraced === undefined ? {} : { baseline: base.side }),
      });
      return reportDiff(io, base.side, learned.side, o).code;
    }
    const options = {
      catalog, level: header.level, maxExcess: header.maxExcess, defaultAction: ctx.defaultAction, now: policyDate(io.env),
      formats: [base.kind === 'oci' ? 'oci' as const : 'kafel' as const], runtimes: null, filterFlags: [], followSymlinks: o.followSymlinks === true,
    };
    const updated = updatedBaseline(io, outcome, { format: base.kind, options, arch: o.arch, file: baselinePath });
    const { diff } = reportDiff(io, base.side, updated.side, o);
    if (!hasDrift(diff)) return 0;
    writeBaseline(io, baselinePath, updated.text, o.followSymlinks === true);
    io.err(`learn: updated baseline ${baselinePath} from profile '${outcome.summary.profile}'\n`);
    return 0;
  } finally {
    outcome.store.close();
  }
}

function readContext(io: Io, o: DiffOptions, defaultAction: Action): ReadContext {
  return { cwd: io.cwd, env: io.env, arch: o.arch, catalog: o.catalog, db: o.db, defaultAction };
}

function parseFormat(value: string): DiffFormat {
  if (!(DIFF_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${DIFF_FORMATS.join(', ')}, got '${value}'`);
  return value as DiffFormat;
}
