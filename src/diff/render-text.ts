// The terminal report: grouped sections, coloured through the Io's chalk (which is colourless for NO_COLOR
// and pipes).
import type { ChalkInstance } from 'chalk';
import { printAction } from '../policy/emit/kafel.js';
import { describeExpr } from './describe.js';
import { groupChanges, summarize } from './groups.js';
import { hasDrift, type PolicyDiff, type RiskNote } from './model.js';

export function renderText(diff: PolicyDiff, color: ChalkInstance): string {
  const title = `${diff.oldLabel} → ${diff.newLabel} (${diff.arch})`;
  const g = groupChanges(diff);
  const lines: string[] = [];
  if (!hasDrift(diff)) lines.push(`${color.green('no drift')}: ${title}`);
  else lines.push(`${color.bold('policy drift')}: ${title}`, `  ${summarize(g)}`);
  const section = (name: string, items: string[]) => {
    if (items.length > 0) lines.push('', color.bold(`${name} (${items.length}):`), ...items.map((i) => `  ${i}`));
  };
  if (diff.categories) {
    section('categories added', diff.categories.added.map((c) => color.red(`+ ${c}`)));
    section('categories removed', diff.categories.removed.map((c) => color.green(`- ${c}`)));
  }
  const risk = (r: RiskNote) => {
    const tag = `[${r.level} · ${r.group}]`;
    const painted = r.level === 'critical' ? color.red.bold(tag) : r.level === 'high' ? color.red(tag) : r.level === 'medium' ? color.yellow(tag) : color.dim(tag);
    return `${painted} ${r.reason}`;
  };
  const via = (origins: readonly string[]) => (origins.length > 0 ? color.dim(` (via ${origins.join(', ')})`) : '');
  section('newly allowed', g.added.map((c) =>
    `${color.red(`+ ${c.syscall}`)}${c.when ? ` when ${describeExpr(c.syscall, c.when)}` : ''}${via(c.origins)}\n      ${risk(c.risk)}`));
  section('no longer allowed', g.removed.map((c) =>
    `${color.green(`- ${c.syscall}`)}${c.was ? ` (was allowed when ${describeExpr(c.syscall, c.was)})` : ''}${via(c.origins)}`));
  const argChange = (verb: string, paint: (s: string) => string) => (c: (typeof g.widened)[number]) =>
    `${paint(`~ ${c.syscall}`)}: ${verb} ${c.examples.join('; ')}${c.exact ? '' : color.dim(' (sampled)')}\n` +
    `      was: ${describeExpr(c.syscall, c.was)}\n      now: ${describeExpr(c.syscall, c.now)}` +
    (verb === 'now allows' ? `\n      ${risk(c.risk)}` : '');
  section('argument constraints widened', g.widened.map(argChange('now allows', color.red)));
  section('argument constraints narrowed', g.narrowed.map(argChange('no longer allows', color.green)));
  section('actions changed', g.actions.map((c) => `${c.syscall}: ${printAction(c.from)} → ${printAction(c.to)}`));
  if (diff.defaultAction) lines.push('', `${color.bold('default action')}: ${printAction(diff.defaultAction.from)} → ${printAction(diff.defaultAction.to)}`);
  if (diff.foreignArchAction) {
    lines.push('', `${color.bold('foreign-arch action')}: ${printAction(diff.foreignArchAction.from)} → ${printAction(diff.foreignArchAction.to)}`);
  }
  return `${lines.join('\n')}\n`;
}
