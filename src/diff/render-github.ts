// GitHub Actions workflow commands: one annotation per change, placed on the baseline file at the rule
// that names the syscall (or the USE line when the baseline has none).
import { printAction } from '../policy/emit/kafel.js';
import { describeExpr } from './describe.js';
import { grants } from './gate.js';
import type { PolicyDiff, SourceMap, SyscallChange } from './model.js';

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function message(c: SyscallChange): string {
  switch (c.kind) {
    case 'added':
      return `${c.syscall} is newly allowed${c.when ? ` when ${describeExpr(c.syscall, c.when)}` : ''}` +
        `${c.origins.length > 0 ? ` (via ${c.origins.join(', ')})` : ''} — risk ${c.risk.level} (${c.risk.group}): ${c.risk.reason}`;
    case 'removed':
      return `${c.syscall} is no longer allowed`;
    case 'widened':
      return `${c.syscall} now allows ${c.examples.join('; ')} (now: ${describeExpr(c.syscall, c.now)}) — risk ${c.risk.level} (${c.risk.group}): ${c.risk.reason}`;
    case 'narrowed':
      return `${c.syscall} no longer allows ${c.examples.join('; ')} (now: ${describeExpr(c.syscall, c.now)})`;
    case 'action':
      return `${c.syscall}: ${printAction(c.from)} → ${printAction(c.to)}`;
  }
}

export function renderGithub(diff: PolicyDiff, baseline: SourceMap | null): string {
  const lines: string[] = [];
  const annotate = (level: 'error' | 'warning' | 'notice', line: number | null, text: string) => {
    const props = baseline ? [`file=${escapeProperty(baseline.file)}`, ...(line !== null ? [`line=${line}`] : [])] : [];
    lines.push(`::${level}${props.length > 0 ? ` ${props.join(',')}` : ''}::${escapeData(`seccomp drift: ${text}`)}`);
  };
  const useLine = baseline?.useLine ?? null;
  for (const c of diff.syscalls) {
    const line = baseline?.ruleLines.get(c.syscall) ?? useLine;
    annotate(grants(c) ? 'error' : 'warning', line, message(c));
  }
  for (const [what, a] of [['default action', diff.defaultAction], ['foreign-arch action', diff.foreignArchAction]] as const) {
    if (a) annotate('error', useLine, `${what} ${printAction(a.from)} → ${printAction(a.to)}`);
  }
  if (diff.categories) {
    for (const c of diff.categories.added) annotate('notice', useLine, `category ${c} added`);
    for (const c of diff.categories.removed) annotate('notice', useLine, `category ${c} removed`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
