// `learn report` in a terminal: the summary the HTML page shows, as text.
import type { ChalkInstance } from 'chalk';
import { renderText as renderDiffText } from '../diff/render-text.js';
import type { Report, SideReport } from './model.js';

const BAR = 24;

export function renderReportText(report: Report, color: ChalkInstance): string {
  const out: string[] = [];
  if (report.diff !== null) out.push(renderDiffText(report.diff, color).trimEnd(), '');
  for (const side of report.sides) out.push(...sideLines(side, color), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function sideLines(side: SideReport, color: ChalkInstance): string[] {
  const lines = [`${color.bold('seccomp policy report')}: ${side.label} (${side.arch}, default action ${side.defaultAction})`];
  if (side.source !== null) lines.push(color.dim(`  ${side.source}`));
  if (side.categories.length > 0) {
    lines.push('', color.bold(side.observed === null ? 'categories (granted):' : 'categories (observed of granted):'));
    const width = Math.max(...side.categories.map((c) => c.name.length));
    const max = Math.max(...side.categories.map((c) => c.granted.length));
    for (const c of side.categories) {
      const g = Math.max(1, Math.round((c.granted.length / max) * BAR));
      const o = c.observed === null ? 0 : Math.round((c.observed.length / max) * BAR);
      const count = c.observed === null ? `${c.granted.length}` : `${c.observed.length} of ${c.granted.length}`;
      lines.push(`  ${c.name.padEnd(width)}  ${color.blue('█'.repeat(o))}${color.dim('░'.repeat(Math.max(0, g - o)))} ${count}`);
    }
  }
  if (side.observed !== null) {
    const calls = side.observed.reduce((n, o) => n + [...o.counts.values()].reduce((a, b) => a + b, 0), 0);
    const denied = side.observed.filter((o) => !o.allowed);
    lines.push('', color.bold(`observed syscalls: ${side.observed.length}, ${calls} calls`) +
      (denied.length > 0 ? color.red(`; not allowed: ${denied.map((o) => o.name).join(', ')}`) : ''));
    const width = Math.max(...side.observed.map((o) => o.name.length));
    for (const o of side.observed) {
      const counts = [...o.counts].map(([arch, n]) => `${n} ${arch}`).join(', ');
      lines.push(`  ${o.name.padEnd(width)}  ${counts.padEnd(16)}  ${o.allowed ? o.allowedBy : color.red(o.allowedBy)}  ${color.dim(o.processes.join('; '))}`);
    }
  }
  if (side.permissiveDefault) lines.push('', color.red(`the default action (${side.defaultAction}) lets every unlisted syscall through`));
  else if (side.unseen.length > 0) {
    lines.push('', color.bold(side.observed === null ? 'granted, by risk:' : 'granted, never seen, by risk:'));
    for (const g of side.unseen) lines.push(`  ${g.level} (${g.syscalls.length}): ${g.syscalls.map((s) => s.name).join(' ')}`);
  }
  if (side.constraints.length > 0) {
    lines.push('', color.bold('argument rules:'));
    for (const c of side.constraints) lines.push(`  ${c.syscall}: allowed when ${c.text}`);
  }
  return lines;
}
