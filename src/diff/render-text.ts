// The terminal report: one sentence per risk level, then the changes by risk and category, coloured through the
// Io's chalk (colourless for NO_COLOR and pipes).
import type { ChalkInstance } from 'chalk';
import { printAction } from '../policy/emit/kafel.js';
import { hasDrift, type PolicyDiff } from './model.js';
import { pulledInNote, rowLines, type RowLine } from './review-lines.js';
import { reviewDiff, type Band } from './review.js';

export function renderText(diff: PolicyDiff, color: ChalkInstance): string {
  const title = `${diff.oldLabel} → ${diff.newLabel} (${diff.arch})`;
  if (!hasDrift(diff)) return `${color.green('no drift')}: ${title}\n`;
  const review = reviewDiff(diff);
  const paint = (band: Band, s: string): string =>
    band === 'critical' ? color.red.bold(s) : band === 'high' ? color.red(s) : band === 'medium' ? color.yellow(s) : band === 'low' ? color.dim(s) : color.green(s);
  const lines = [`${color.bold('policy drift')}: ${title}`, ...review.sentences.map((s) => `  ${paint(s.band, s.lead)}${s.rest}`)];
  if (diff.categories && (diff.categories.added.length > 0 || diff.categories.removed.length > 0)) {
    lines.push(`  categories: ${[...diff.categories.added.map((c) => `+${c}`), ...diff.categories.removed.map((c) => `-${c}`)].join(' ')}`);
  }
  let band: Band | null = null;
  for (const g of review.globals) {
    if (g.band !== band) lines.push('', paint(g.band, g.band));
    lines.push(`  ! ${g.what}: ${printAction(g.change.from)} → ${printAction(g.change.to)}`);
    band = g.band;
  }
  let category: string | null = null;
  for (const line of rowLines(review)) {
    if (line.band !== band) {
      lines.push('', paint(line.band, line.band));
      band = line.band;
      category = null;
    }
    if (line.category !== category && line.category !== '') {
      const note = pulledInNote(review, line.category);
      lines.push(`  ${color.bold(line.category)}${note === null ? '' : color.dim(` — ${note}`)}`);
    }
    category = line.category;
    lines.push(`    ${textOf(line, color)}`, ...line.details.map((d) => color.dim(`        ${d}`)));
  }
  return `${lines.join('\n')}\n`;
}

function textOf(line: RowLine, color: ChalkInstance): string {
  const sign = line.sign === '+' ? color.red('+') : line.sign === '-' ? color.green('-') : line.sign;
  return `${sign} ${line.text}`;
}
