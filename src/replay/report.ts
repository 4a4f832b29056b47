// Pure: what `learn replay` says when the target has ended, as text lines (stderr: stdout is the target's) or JSON.
import type { Arch } from '../abi/arch.js';
import type { AuditAction } from '../audit/record.js';
import { valueName } from '../diff/arg-names.js';
import type { AuditReading } from './audit-violations.js';
import type { CacheStatus } from './filter-cache.js';
import type { ReplayMode } from './modes.js';
import type { SupervisedCall, SupervisedKill, SupervisorLog } from './notify-calls.js';
import { describeOutcome, type Launcher, type Outcome } from './outcome.js';
import type { UnitKind } from './unit.js';
import { fatalCallOf, type FatalCall, type Violation } from './violations.js';

/** How the denied calls were seen: the supervisor answered each one, or the kernel's audit records were read
 * (`fallback` says why the supervisor was not used). */
export type Monitoring =
  | { readonly kind: 'supervisor'; readonly log: SupervisorLog }
  | { readonly kind: 'audit'; readonly reading: AuditReading; readonly fallback: string };

export interface ReplayReport {
  readonly filter: { readonly file: string; readonly kind: 'policy' | 'bpf'; readonly arch: Arch | undefined; readonly cache: CacheStatus };
  readonly mode: ReplayMode;
  readonly launcher: Launcher;
  readonly command: readonly string[];
  readonly pid: number;
  readonly outcome: Outcome;
  readonly exitCode: number;
  /** null when the target never started (nothing to read). */
  readonly monitor: Monitoring | null;
  /** Processes the program left behind that the end of the replay killed, and how they were contained. */
  readonly leftovers?: { readonly unit: UnitKind; readonly killed: number };
  /** --duration ran out, or learn got a signal, and the program was stopped. */
  readonly stoppedBy?: 'duration' | NodeJS.Signals;
  /** The run the denied calls were stored as. */
  readonly recorded?: { readonly profile: string; readonly runId: number; readonly db: string };
}

const ACTION_TEXT: Readonly<Record<AuditAction, string>> = {
  'kill-process': 'KILL_PROCESS', 'kill-thread': 'KILL_THREAD', kill: 'KILL', trap: 'TRAP', errno: 'ERRNO',
  'user-notif': 'USER_NOTIF', trace: 'TRACE', log: 'LOG', allow: 'ALLOW',
};

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

/** A supervised call's arguments as a reviewer reads them: `socket(AF_INET, SOCK_STREAM, 0, …)`. */
export function callText(name: string, args: readonly string[]): string {
  return `${name}(${args.map((a, i) => valueName(name, i, BigInt(a))).join(', ')})`;
}

function supervisedAction(c: SupervisedCall): string {
  return c.action === 'log' ? 'LOG' : c.action === 'errno' ? `ERRNO(${c.errno ?? 0})` : 'KILL_PROCESS';
}

/** The supervisor's calls in the shape of audit violations (plus arguments), so one JSON reader fits both. */
function supervisedViolation(c: SupervisedCall): Violation & { readonly errno: number | null; readonly args: SupervisedCall['argSets']; readonly otherArgCalls: number } {
  const action: AuditAction = c.action === 'kill' ? 'kill-process' : c.action;
  return { arch: c.arch, archText: c.arch ?? `0x${c.archValue.toString(16)}`, nr: c.nr, name: c.name, action, count: c.count, pids: c.pids, errno: c.errno, args: c.argSets, otherArgCalls: c.otherArgCalls };
}

function killedBy(r: ReplayReport): (FatalCall & { args?: readonly string[]; signal?: string }) | null {
  if (r.monitor === null) return null;
  if (r.monitor.kind === 'supervisor') {
    const kills = r.monitor.log.kills;
    const k: SupervisedKill | undefined = kills.find((x) => x.pid === r.pid) ?? kills[0];
    return k === undefined ? null : { pid: k.pid, arch: k.arch, nr: k.nr, name: k.name, action: 'kill-process', args: k.args, signal: k.signal };
  }
  const audit = r.monitor.reading;
  if (r.outcome.kind !== 'seccomp-killed' || !audit.available) return null;
  return fatalCallOf(audit.report, r.pid) ?? null;
}

function violationLine(v: Violation): string {
  const pids = v.pids.length > 3 ? `${v.pids.slice(0, 3).join(', ')}, …` : v.pids.join(', ');
  return `  ${v.name} (${v.arch ?? v.archText}, nr ${v.nr}): ${plural(v.count, 'call')}, ${ACTION_TEXT[v.action]}, ${v.pids.length === 1 ? 'pid' : 'pids'} ${pids}`;
}

/** One supervised call group: name, count, answer and callers, then its first two argument tuples. */
function supervisedCallLines(c: SupervisedCall): string[] {
  const pids = c.pids.length > 3 ? `${c.pids.slice(0, 3).join(', ')}, …` : c.pids.join(', ');
  const lines = [`  ${c.name} (${c.arch ?? `0x${c.archValue.toString(16)}`}, nr ${c.nr}): ${plural(c.count, 'call')}, ${supervisedAction(c)}, ${c.pids.length === 1 ? 'pid' : 'pids'} ${pids}`];
  for (const set of c.argSets.slice(0, 2)) lines.push(`    ${callText(c.name, set.args)}${set.count > 1 ? ` ×${set.count}` : ''}`);
  const more = c.argSets.slice(2).reduce((n, s) => n + s.count, 0) + c.otherArgCalls;
  if (more > 0) lines.push(`    … ${plural(more, 'more call')} with other arguments`);
  return lines;
}

function supervisedLines(r: ReplayReport, log: SupervisorLog): string[] {
  const lines = ['denied calls: seen by the supervisor (seccomp user notification), each with its arguments'];
  for (const k of log.kills) lines.push(`killed by ${k.signal} at ${k.name} (${k.arch ?? '?'}, nr ${k.nr}) in pid ${k.pid}: ${callText(k.name, k.args)}`);
  if (r.outcome.kind === 'seccomp-killed' && log.kills.length === 0) lines.push('killed by SIGSYS from the kernel (a TRAP or KILL_THREAD rule): see the audit log');
  const violations = log.calls.filter((c) => !c.byRule);
  const answered = log.calls.filter((c) => c.byRule);
  lines.push(violations.length === 0 ? 'no violations' : `${plural(violations.length, 'violation')}:`);
  lines.push(...violations.flatMap(supervisedCallLines));
  if (answered.length > 0) lines.push('answered by the policy\'s own rules, as written (not violations, not stored):', ...answered.flatMap(supervisedCallLines));
  if (log.vanished > 0) lines.push(`${plural(log.vanished, 'call')} ended before the answer (the caller was killed meanwhile)`);
  return lines;
}

function auditLines(r: ReplayReport, audit: AuditReading, fallback: string): string[] {
  if (!audit.available) return [`cannot read the kernel's audit records (${audit.reason}): violations are unknown; only how the program ended is`];
  const lines = [`audit records: ${audit.source} (no supervisor: ${fallback})`];
  const fatal = killedBy(r);
  if (fatal) lines.push(`killed by SIGSYS at ${fatal.name} (${fatal.arch ?? '?'}, nr ${fatal.nr}) in pid ${fatal.pid}`);
  else if (r.outcome.kind === 'seccomp-killed') lines.push('the call that killed it has no audit record');
  const vs = audit.report.violations;
  lines.push(vs.length === 0 ? 'no violations logged' : `${plural(vs.length, 'violation')}:`);
  lines.push(...vs.map(violationLine));
  if (audit.lossReports > 0) lines.push(`incomplete: ${audit.lostAtLeast} records suppressed (the kernel's audit rate limit): the list may lack violations`);
  if (r.mode === 'errno' && r.launcher === 'bwrap') lines.push('errno mode under bwrap: bwrap loads the filter without SECCOMP_FILTER_FLAG_LOG, so the kernel does not log ERRNO denials and they are not listed');
  return lines;
}

/** The report for people, one line each. */
export function formatReplayReport(r: ReplayReport): string[] {
  const name = r.command[0] ?? '';
  const stopped = r.stoppedBy === undefined ? '' : r.stoppedBy === 'duration' ? ' after --duration ran out' : ` after learn got ${r.stoppedBy}`;
  const lines = [`${name} ${describeOutcome(r.outcome)}${stopped} (${r.mode} mode, ${r.launcher}, pid ${r.pid})`];
  if (r.leftovers !== undefined && r.leftovers.killed > 0) lines.push(`killed ${plural(r.leftovers.killed, 'process')} it left running (${r.leftovers.unit})`);
  if (r.monitor !== null) lines.push(...(r.monitor.kind === 'supervisor' ? supervisedLines(r, r.monitor.log) : auditLines(r, r.monitor.reading, r.monitor.fallback)));
  if (r.recorded !== undefined) lines.push(`stored as run ${r.recorded.runId} of profile '${r.recorded.profile}' in ${r.recorded.db}: \`learn policy ${r.recorded.profile}\` widens the policy by them`);
  return lines;
}

/** Records the kernel suppressed (audit only): the report may be incomplete. */
export function suppressedRecords(r: ReplayReport): number {
  return r.monitor?.kind === 'audit' && r.monitor.reading.available && r.monitor.reading.lossReports > 0 ? Math.max(1, r.monitor.reading.lostAtLeast) : 0;
}

export function replayJson(r: ReplayReport): unknown {
  const m = r.monitor;
  const audit = m?.kind === 'audit' ? m.reading : null;
  return {
    replay: { filter: r.filter.file, kind: r.filter.kind, arch: r.filter.arch ?? null, cache: r.filter.cache, mode: r.mode, launcher: r.launcher },
    command: r.command,
    pid: r.pid,
    outcome: { ...r.outcome, description: describeOutcome(r.outcome) },
    exitCode: r.exitCode,
    stoppedBy: r.stoppedBy ?? null,
    leftovers: r.leftovers ?? null,
    monitor: m === null ? null : m.kind === 'supervisor' ? { kind: 'supervisor', vanished: m.log.vanished } : { kind: 'audit', fallback: m.fallback },
    complete: suppressedRecords(r) === 0 && !(audit !== null && !audit.available),
    suppressed: suppressedRecords(r),
    killedBy: killedBy(r),
    audit: audit === null ? null : audit.available
      ? { available: true, source: audit.source, lostAtLeast: audit.lostAtLeast, lossReports: audit.lossReports }
      : { available: false, reason: audit.reason },
    violations: m === null ? [] : m.kind === 'supervisor' ? m.log.calls.filter((c) => !c.byRule).map(supervisedViolation) : audit?.available ? audit.report.violations : [],
    // Calls the policy's own rules answered (an ERRNO fallback): the supervisor tells them apart; audit records do not.
    answeredByRules: m?.kind === 'supervisor' ? m.log.calls.filter((c) => c.byRule).map(supervisedViolation) : [],
    recorded: r.recorded ?? null,
  };
}
