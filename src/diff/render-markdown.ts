// A pull-request comment: a summary line and one table per section.
import { printAction } from '../policy/emit/kafel.js';
import { describeExpr } from './describe.js';
import { groupChanges, summarize } from './groups.js';
import { hasDrift, type PolicyDiff, type RiskNote } from './model.js';

const BADGE: Readonly<Record<RiskNote['level'], string>> = { critical: '🔴 critical', high: '🟠 high', medium: '🟡 medium', low: '⚪ low' };

/** Table cells: code spans for expressions, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${cell(text)}\``;
}

export function renderMarkdown(diff: PolicyDiff): string {
  const g = groupChanges(diff);
  const out: string[] = [`### seccomp policy drift: ${code(diff.oldLabel)} → ${code(diff.newLabel)} (${diff.arch})`, ''];
  if (!hasDrift(diff)) return `${out.join('\n')}No drift: the new policy allows exactly what the baseline allows.\n`;
  out.push(`**${summarize(g)}.**`, '');
  const table = (title: string, header: string[], rows: string[][]) => {
    if (rows.length === 0) return;
    out.push(`#### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const r of rows) out.push(`| ${r.join(' | ')} |`);
    out.push('');
  };
  if (diff.categories && (diff.categories.added.length > 0 || diff.categories.removed.length > 0)) {
    out.push('#### Categories', '');
    for (const c of diff.categories.added) out.push(`- ➕ ${code(c)}`);
    for (const c of diff.categories.removed) out.push(`- ➖ ${code(c)}`);
    out.push('');
  }
  const risk = (r: RiskNote) => `${BADGE[r.level]} · ${r.group}: ${cell(r.reason)}`;
  table('Newly allowed', ['syscall', 'allowed when', 'via', 'risk'], g.added.map((c) =>
    [code(c.syscall), code(describeExpr(c.syscall, c.when)), cell(c.origins.join(', ')), risk(c.risk)]));
  table('No longer allowed', ['syscall', 'was allowed when', 'via'], g.removed.map((c) =>
    [code(c.syscall), code(describeExpr(c.syscall, c.was)), cell(c.origins.join(', '))]));
  table('Argument constraints widened', ['syscall', 'now also allows', 'was', 'now', 'risk'], g.widened.map((c) =>
    [code(c.syscall), cell(c.examples.join('; ')) + (c.exact ? '' : ' (sampled)'), code(describeExpr(c.syscall, c.was)), code(describeExpr(c.syscall, c.now)), risk(c.risk)]));
  table('Argument constraints narrowed', ['syscall', 'no longer allows', 'was', 'now'], g.narrowed.map((c) =>
    [code(c.syscall), cell(c.examples.join('; ')), code(describeExpr(c.syscall, c.was)), code(describeExpr(c.syscall, c.now))]));
  table('Actions changed', ['syscall', 'from', 'to'], g.actions.map((c) => [code(c.syscall), printAction(c.from), printAction(c.to)]));
  for (const [what, a] of [['Default action', diff.defaultAction], ['Foreign-arch action', diff.foreignArchAction]] as const) {
    if (a) out.push(`**${what}:** ${printAction(a.from)} → ${printAction(a.to)}`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
