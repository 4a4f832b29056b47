// The second half of `learn diff`: learning the traced run's side, comparing, rendering, gating and
// rewriting the baseline. Loaded while the traced program runs, not before it starts.
import { appendFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { writeFilesAtomically } from '../os/atomic-write.js';
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { gateFails, type FailOn } from '../diff/gate.js';
import { learnedSide, observedCounts, type LearnedSide } from '../diff/learn-side.js';
import type { DiffSide, PolicyDiff } from '../diff/model.js';
import { renderGithub } from '../diff/render-github.js';
import { renderGitlab } from '../diff/render-gitlab.js';
import { renderJson } from '../diff/render-json.js';
import { renderMarkdown } from '../diff/render-markdown.js';
import { renderText } from '../diff/render-text.js';
import type { DiffFormat } from '../diff/formats.js';
import { diffPolicies } from '../diff/semantic.js';
import { sideFromOciText, sideFromPolicyFile } from '../diff/sides.js';
import { withBaselineShapes } from '../diff/trace-set.js';
import { buildReport, type ReportInput } from '../report/model.js';
import { renderHtmlReport } from '../report/render-html.js';
import { toObservedShapes } from '../learn/observations.js';
import type { Action } from '../policy/model.js';
import { runObservations } from '../store/queries.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import { painter } from './color.js';
import type { Io } from './io.js';
import type { TraceOutcome } from './trace-run.js';
import { emit, learnProfile, type LearnOptions } from './write-policy.js';

export interface ReportOptions {
  readonly format: DiffFormat;
  readonly failOn: readonly FailOn[];
}

/**
 * Compares, prints the report on stdout, and returns the exit code the gate asks for (0 or 1). With
 * `--format github` the markdown report also goes to $GITHUB_STEP_SUMMARY when that is set.
 */
export function reportDiff(io: Io, before: DiffSide, after: DiffSide, o: ReportOptions): { diff: PolicyDiff; code: number } {
  const diff = diffPolicies(before, after);
  io.out(render(diff, before, after, o.format, io));
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (o.format === 'github' && summary !== undefined && summary !== '') appendFileSync(summary, renderMarkdown(diff));
  return { diff, code: gateFails(diff, o.failOn) ? 1 : 0 };
}

/**
 * The side the traced run learns. When strace skipped the baseline's outright allowances, the run saw
 * only what is new, so those calls are taken from the baseline.
 */
export function tracedSide(outcome: TraceOutcome, learn: {
  arch: Arch; catalog: Catalog; defaultAction: Action; label: string; baseline?: DiffSide;
}): LearnedSide {
  const { shapes } = toObservedShapes(runObservations(outcome.store.db, outcome.summary.runId), parseShapeKey, ARG_SENSITIVE);
  const native = shapes.filter((s) => s.arch === learn.arch);
  return learnedSide(learn.baseline === undefined ? native : withBaselineShapes(native, learn.baseline.policy), learn.catalog, learn.arch, {
    profile: outcome.summary.profile,
    defaultAction: learn.defaultAction,
    label: learn.label,
    observed: native,
  });
}

/**
 * `--update`: the file `learn policy` writes for the traced profile (kafel, or OCI for an OCI baseline), and
 * its side to compare with the baseline.
 */
export function updatedBaseline(io: Io, outcome: TraceOutcome, o: { format: 'oci' | 'policy'; options: LearnOptions; arch: Arch; file: string }): { side: DiffSide; text: string } {
  const profile = outcome.summary.profile;
  const input = learnProfile(outcome.store.db, profile, o.options, io);
  const text = emit(o.format === 'oci' ? 'oci' : 'kafel', input).data as string;
  const label = `profile:${profile}`;
  const side = o.format === 'oci'
    ? sideFromOciText(text, o.file, o.arch, label)
    : sideFromPolicyFile(input.learned.policy, o.file, o.arch, input.catalog, label);
  return { side: { ...side, source: null, observed: observedCounts(input.shapes, o.arch) }, text };
}

export function writeBaseline(io: Io, path: string, text: string, followSymlinks: boolean): void {
  writeFilesAtomically([{ path: resolve(io.cwd, path), data: text }], { followSymlinks });
}

function render(diff: PolicyDiff, before: DiffSide, after: DiffSide, format: DiffFormat, io: Io): string {
  switch (format) {
    case 'text': return renderText(diff, painter(io.color));
    case 'json': return renderJson(diff);
    case 'markdown': return renderMarkdown(diff);
    case 'github': return renderGithub(diff, before.source);
    case 'gitlab': return renderGitlab(diff, before.source, repoPath(io, before));
    case 'html': return renderHtmlReport(buildReport([before, after].map(reportInput), diff));
  }
}

/** A side for the HTML drift view, with the calls a learned side observed. */
function reportInput(side: DiffSide): ReportInput {
  const observed = side.observed === undefined ? null : [...side.observed].map(([name, n]) => ({ name, counts: new Map([[side.policy.arch, n]]), processes: [] }));
  return { side, observed };
}

/** The baseline as GitLab links it: relative to the working directory (the repository root in CI). */
function repoPath(io: Io, side: DiffSide): string {
  return side.source === null ? side.label : relative(io.cwd, resolve(io.cwd, side.source.file));
}
