// A pull-request comment (and GitHub step summary): one sentence per risk level right under the title, then one
// table of every change ordered by risk and category.
import { printAction } from '../policy/emit/kafel.js';
import { hasDrift, type PolicyDiff } from './model.js';
import { pulledInNote, rowLines } from './review-lines.js';
import { reviewDiff, type Band } from './review.js';

export const BADGE: Readonly<Record<Band, string>> = {
  critical: '🔴 critical', high: '🟠 high', medium: '🟡 medium', low: '⚪ low', tightened: '🟢 tightened', changed: '🔵 changed',
};

/** Table cells: pipes escaped, line breaks flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${cell(text)}\``;
}

export function renderMarkdown(diff: PolicyDiff): string {
  const title = `### seccomp policy drift: ${code(diff.oldLabel)} → ${code(diff.newLabel)} (${diff.arch})`;
  if (!hasDrift(diff)) return `${title}\n\nNo drift: the new policy allows exactly what the baseline allows.\n`;
  const review = reviewDiff(diff);
  const out = [title, ...review.sentences.map((s) => `- ${BADGE[s.band].split(' ')[0]} **${s.lead}**${cell(s.rest)}`), ''];
  if (diff.categories && (diff.categories.added.length > 0 || diff.categories.removed.length > 0)) {
    out.push(`Categories: ${[...diff.categories.added.map((c) => `➕ ${code(c)}`), ...diff.categories.removed.map((c) => `➖ ${code(c)}`)].join(' · ')}`, '');
    for (const c of review.pulledIn) out.push(`> ${code(c.name)}: ${cell(pulledInNote(review, c.name) ?? '')}`, '');
  }
  out.push('| risk | category | change | syscalls | before → after | why |', '|---|---|---|---|---|---|');
  for (const g of review.globals) {
    out.push(`| ${BADGE[g.band]} | — | ${g.what} | — | ${printAction(g.change.from)} → ${printAction(g.change.to)} | ${cell(g.why)} |`);
  }
  for (const line of rowLines(review)) {
    out.push(`| ${BADGE[line.band]} | ${cell(line.category || '—')} | ${line.kind} | ${line.syscalls.map(code).join(', ')} | ${cell(line.beforeAfter)} | ${cell(line.details.join('; '))} |`);
  }
  return `${out.join('\n')}\n`;
}
