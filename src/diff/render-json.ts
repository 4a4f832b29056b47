// Machine-readable report: conditions as readable strings, stable key order.
import { printAction } from '../policy/emit/kafel.js';
import { describeExpr } from './describe.js';
import { groupChanges } from './groups.js';
import { hasDrift, type ActionChange, type PolicyDiff } from './model.js';
import { highestRisk, reviewDiff, sentenceText } from './review.js';

export function renderJson(diff: PolicyDiff): string {
  const g = groupChanges(diff);
  const review = reviewDiff(diff);
  const action = (a: ActionChange | null) => (a ? { from: printAction(a.from), to: printAction(a.to) } : null);
  const argChange = (c: (typeof g.widened)[number]) => ({
    syscall: c.syscall,
    was: describeExpr(c.syscall, c.was),
    now: describeExpr(c.syscall, c.now),
    examples: c.examples,
    exact: c.exact,
    origins: c.origins,
    risk: c.risk,
  });
  const report = {
    arch: diff.arch,
    old: diff.oldLabel,
    new: diff.newLabel,
    drift: hasDrift(diff),
    highestRisk: highestRisk(review),
    summary: review.sentences.map(sentenceText),
    categories: diff.categories,
    added: g.added.map((c) => ({ syscall: c.syscall, when: describeExpr(c.syscall, c.when), origins: c.origins, risk: c.risk })),
    removed: g.removed.map((c) => ({ syscall: c.syscall, was: describeExpr(c.syscall, c.was), origins: c.origins })),
    widened: g.widened.map(argChange),
    narrowed: g.narrowed.map(argChange),
    actions: g.actions.map((c) => ({ syscall: c.syscall, from: printAction(c.from), to: printAction(c.to) })),
    defaultAction: action(diff.defaultAction),
    foreignArchAction: action(diff.foreignArchAction),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
