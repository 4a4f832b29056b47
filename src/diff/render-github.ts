// GitHub Actions workflow commands: at most one annotation per risk level, highest first (GitHub shows only the
// first few of a step), each on the baseline file at the rule of its first change (or the USE line). Tightenings
// ride along in the lowest annotation. The full report goes to the step summary (render-markdown.ts).
import { hasDrift, type PolicyDiff, type RiskLevel, type SourceMap } from './model.js';
import { reviewDiff, RISK_LEVELS, sentenceText, type Band } from './review.js';

/** Rows listed in one annotation's message; the step summary has them all. */
const LISTED = 8;

const COMMAND: Readonly<Record<RiskLevel, 'error' | 'warning' | 'notice'>> = { critical: 'error', high: 'error', medium: 'warning', low: 'notice' };

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

interface Annotation {
  command: 'error' | 'warning' | 'notice';
  line: number | null;
  lines: string[];
}

export function renderGithub(diff: PolicyDiff, baseline: SourceMap | null): string {
  if (!hasDrift(diff)) return '';
  const review = reviewDiff(diff);
  const useLine = baseline?.useLine ?? null;
  const lineOf = (syscall: string) => baseline?.ruleLines.get(syscall) ?? useLine;
  const rowsOf = (band: Band) => review.rows.filter((r) => r.band === band);
  const detail = (band: Band) => {
    const rows = rowsOf(band);
    const listed = rows.slice(0, LISTED).map((r) => (r.headline.includes(r.change.syscall) ? r.headline : `${r.change.syscall}: ${r.headline}`));
    return rows.length > LISTED ? [...listed, `… and ${rows.length - LISTED} more (see the step summary)`] : listed;
  };
  const annotations: Annotation[] = [];
  for (const level of RISK_LEVELS) {
    const globals = review.globals.filter((g) => g.band === level);
    const rows = rowsOf(level);
    if (globals.length === 0 && rows.length === 0) continue;
    const sentences = review.sentences.filter((s) => s.band === level).map(sentenceText);
    annotations.push({
      command: COMMAND[level],
      line: globals.length > 0 ? useLine : lineOf(rows[0]!.change.syscall),
      lines: [`seccomp drift: ${sentences.join('; ')}`, ...detail(level)],
    });
  }
  const rest = review.sentences.filter((s) => s.band === 'tightened' || s.band === 'changed').map(sentenceText);
  if (rest.length > 0) {
    const last = annotations[annotations.length - 1];
    if (last) last.lines.push(`also: ${rest.join('; ')}`);
    else annotations.push({ command: 'notice', line: useLine, lines: [`seccomp drift: ${rest.join('; ')}`, ...detail('tightened'), ...detail('changed')] });
  }
  return annotations.map((a) => {
    const props = baseline ? [`file=${escapeProperty(baseline.file)}`, ...(a.line !== null ? [`line=${a.line}`] : [])] : [];
    return `::${a.command}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(a.lines.join('\n'))}\n`;
  }).join('');
}
