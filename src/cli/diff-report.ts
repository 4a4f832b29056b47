// The second half of `learn diff`: learning the traced run's side, comparing, rendering, gating and
// rewriting the baseline. Loaded while the traced program runs, not before it starts.
import { writeFilesAtomically } from '../os/atomic-write.js';
import { resolve } from 'node:path';
import type { Arch } from '../abi/arch.js';
import type { Catalog } from '../catalog/catalogs.js';
import { gateFails, type FailOn } from '../diff/gate.js';
import { learnedSide, type LearnedSide } from '../diff/learn-side.js';
import { hasDrift, type DiffSide, type PolicyDiff } from '../diff/model.js';
import { renderGithub } from '../diff/render-github.js';
import { renderJson } from '../diff/render-json.js';
import { renderMarkdown } from '../diff/render-markdown.js';
import { renderText } from '../diff/render-text.js';
import type { DiffFormat } from '../diff/formats.js';
import { diffPolicies } from '../diff/semantic.js';
import { withBaselineShapes } from '../diff/trace-set.js';
import { constantName } from '../learn/constants.js';
import { toObservedShapes } from '../learn/observations.js';
import { emitOci } from '../policy/emit/oci.js';
import { printPolicy } from '../policy/emit/kafel.js';
import type { Action } from '../policy/model.js';
import { runObservations } from '../store/queries.js';
import { ARG_SENSITIVE, parseShapeKey } from '../trace/arg-values.js';
import { painter } from './color.js';
import type { Io } from './io.js';
import type { TraceOutcome } from './trace-run.js';

export interface ReportOptions {
  readonly format: DiffFormat;
  readonly failOn: readonly FailOn[];
}

/** Compares, prints the report on stdout, and returns the exit code the gate asks for (0 or 1). */
export function reportDiff(io: Io, before: DiffSide, after: DiffSide, o: ReportOptions): { diff: PolicyDiff; code: number } {
  const diff = diffPolicies(before, after);
  io.out(render(diff, before, o.format, io));
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
  });
}

/** `--update`: the baseline file becomes the learned policy, in the baseline's own format. */
export function rewriteBaseline(io: Io, path: string, format: 'oci' | 'policy', learned: LearnedSide, followSymlinks: boolean): void {
  const data = format === 'oci' ? emitOci(learned.side.policy).text : printPolicy(learned.policy, { constantName });
  writeFilesAtomically([{ path: resolve(io.cwd, path), data }], { followSymlinks });
}

function render(diff: PolicyDiff, baseline: DiffSide, format: DiffFormat, io: Io): string {
  switch (format) {
    case 'text': return renderText(diff, painter(io.color));
    case 'json': return renderJson(diff);
    case 'markdown': return renderMarkdown(diff);
    case 'github': return renderGithub(diff, baseline.source);
  }
}
