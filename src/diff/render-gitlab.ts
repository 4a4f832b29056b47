// A GitLab Code Quality report (the Code Climate subset GitLab reads from `artifacts:reports:codequality`): one
// issue per change, on the baseline file, so the drift shows in the merge request widget.
import { createHash } from 'node:crypto';
import { printAction } from '../policy/emit/kafel.js';
import type { PolicyDiff, SourceMap } from './model.js';
import { rowLines } from './review-lines.js';
import { reviewDiff, type Band } from './review.js';

/** GitLab's scale: info, minor, major, critical, blocker. */
const SEVERITY: Readonly<Record<Band, string>> = {
  critical: 'blocker', high: 'critical', medium: 'major', low: 'minor', tightened: 'info', changed: 'info',
};

interface Issue {
  readonly description: string;
  readonly check_name: string;
  readonly fingerprint: string;
  readonly severity: string;
  readonly location: { readonly path: string; readonly lines: { readonly begin: number } };
}

/** `path` is the baseline file relative to the repository root (GitLab links it). */
export function renderGitlab(diff: PolicyDiff, baseline: SourceMap | null, path: string): string {
  const review = reviewDiff(diff);
  const useLine = baseline?.useLine ?? 1;
  const issues: Issue[] = [];
  const issue = (band: Band, check: string, key: string, description: string, line: number) => issues.push({
    description: `seccomp drift (${band}): ${description}`,
    check_name: `seccomp-learn/${check}`,
    // Stable across reruns and line moves; unique per change (GitLab shows one issue per fingerprint).
    fingerprint: createHash('sha256').update(`${path}\0${check}\0${key}`).digest('hex').slice(0, 32),
    severity: SEVERITY[band],
    location: { path, lines: { begin: line } },
  });
  for (const g of review.globals) {
    issue(g.band, g.what.replace(/ /g, '-'), `${printAction(g.change.from)}>${printAction(g.change.to)}`,
      `${g.what} ${printAction(g.change.from)} → ${printAction(g.change.to)}${g.why === '' ? '' : `: ${g.why}`}`, useLine);
  }
  for (const line of rowLines(review)) {
    const first = line.syscalls[0]!;
    const where = line.category === '' ? '' : ` (${line.category})`;
    issue(line.band, line.kind.replace(/ /g, '-'), `${line.syscalls.join(',')}\0${line.beforeAfter}`,
      `${line.text}${where}${line.details.length > 0 ? ` — ${line.details.join('; ')}` : ''}`, baseline?.ruleLines.get(first) ?? useLine);
  }
  return `${JSON.stringify(issues, null, 2)}\n`;
}
