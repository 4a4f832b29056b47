// `learn report PROFILE|POLICY [NEW] [--html FILE]`: what a policy grants against what was observed, for people:
// a text summary on stdout and, with --html, one self-contained page.
import { existsSync, readFileSync } from 'node:fs';
import { writeFilesAtomically } from '../../os/atomic-write.js';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runningArch, type Arch } from '../../abi/arch.js';
import { baselineHeader } from '../../diff/baseline-header.js';
import { readSide, type ReadContext } from '../../diff/read-side.js';
import { diffPolicies } from '../../diff/semantic.js';
import type { Action } from '../../policy/model.js';
import { buildReport, type ReportInput } from '../../report/model.js';
import { renderHtmlReport } from '../../report/render-html.js';
import { renderReportText } from '../../report/render-text.js';
import { openStore, storeExists } from '../../store/open.js';
import { resolveDbPath } from '../../store/path.js';
import { findProfile } from '../../store/queries.js';
import { painter } from '../color.js';
import type { Io } from '../io.js';
import { parseAction } from '../policy-options.js';
import { parseArch, type ActionResult, type RegisterCommand } from '../program.js';
import { profileCalls } from '../report-data.js';

interface ReportOptions {
  readonly html?: string;
  readonly db?: string;
  readonly arch: Arch;
  readonly catalog?: string;
  readonly defaultAction?: Action;
}

export const registerReport: RegisterCommand = (program: Command, io: Io, _result: ActionResult) => {
  program
    .command('report')
    .summary('a readable report of a policy or profile: text, or one self-contained HTML page')
    .description('Show what a policy (or a profile\'s learned policy) grants against what was observed; with two inputs, the drift between them too.')
    .argument('<input>', 'a profile name, a policy file or an OCI .json file')
    .argument('[new]', 'a second input: the report shows the drift from <input> to it')
    .option('--html <file>', 'also write the report as one HTML page (no network needed to view it)')
    .option('--db <path>', 'store file for profiles (default: $LEARN_DB or ./.learn/learn.db)')
    .option('--arch <arch>', 'architecture of the policy to show', parseArch, runningArch() ?? 'x86_64')
    .option('--catalog <name|file>', 'category catalog (default: the one a policy header names, else default)')
    .option('--default-action <action>', 'default action of policies learned from profiles (default: KILL)', parseAction)
    .addHelpText('after', '\nExamples:\n  learn report nginx --html nginx.html\n  learn report policies/app.policy\n  learn report policies/app.policy app --html drift.html   # committed policy → what the profile needs now\n')
    .action(async (first: string, second: string | undefined, o: ReportOptions) => {
      const ctx: ReadContext = { cwd: io.cwd, env: io.env, arch: o.arch, catalog: o.catalog, db: o.db, defaultAction: o.defaultAction ?? { kind: 'kill-process' } };
      const inputs: ReportInput[] = [];
      for (const spec of second === undefined ? [first] : [first, second]) inputs.push(await reportInput(spec, ctx));
      const diff = inputs.length === 2 ? diffPolicies(inputs[0]!.side, inputs[1]!.side) : null;
      const report = buildReport(inputs, diff);
      io.out(renderReportText(report, painter(io.color)));
      if (o.html !== undefined) {
        writeFilesAtomically([{ path: resolve(io.cwd, o.html), data: renderHtmlReport(report) }]);
        io.err(`learn: wrote ${o.html}\n`);
      }
    });
};

/** A side and what was observed for it: the profile itself, or the profile a learned policy's header names. */
async function reportInput(spec: string, ctx: ReadContext): Promise<ReportInput> {
  const { side, kind } = await readSide(spec, ctx);
  const profile = kind === 'profile' ? spec : kind === 'policy' ? baselineHeader(readFileSync(resolve(ctx.cwd, spec), 'utf8')).profile : undefined;
  const path = resolveDbPath(ctx.db, ctx.env, ctx.cwd);
  if (profile === undefined || !existsSync(path) || !storeExists(path)) return { side, observed: null };
  const store = openStore(path);
  try {
    if (findProfile(store.db, profile) === undefined) return { side, observed: null };
    const { calls, source } = profileCalls(store.db, profile);
    return { side, observed: calls, source };
  } finally {
    store.close();
  }
}
