// Pure: what `learn replay` says when the target has ended, as text lines (stderr: stdout is the target's) or JSON.
import type { Arch } from '../abi/arch.js';
import type { AuditAction } from '../audit/record.js';
import type { AuditReading } from './audit-violations.js';
import type { CacheStatus } from './filter-cache.js';
import type { ReplayMode } from './modes.js';
import { describeOutcome, type Launcher, type Outcome } from './outcome.js';
import { fatalCallOf, type FatalCall, type Violation } from './violations.js';

export interface ReplayReport {
  readonly filter: { readonly file: string; readonly kind: 'policy' | 'bpf'; readonly arch: Arch | undefined; readonly cache: CacheStatus };
  readonly mode: ReplayMode;
  readonly launcher: Launcher;
  readonly command: readonly string[];
  readonly pid: number;
  readonly outcome: Outcome;
  readonly exitCode: number;
  /** null when the target never started (nothing to read). */
  readonly audit: AuditReading | null;
}

const ACTION_TEXT: Readonly<Record<AuditAction, string>> = {
  'kill-process': 'KILL_PROCESS', 'kill-thread': 'KILL_THREAD', kill: 'KILL', trap: 'TRAP', errno: 'ERRNO',
  'user-notif': 'USER_NOTIF', trace: 'TRACE', log: 'LOG', allow: 'ALLOW',
};

const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;

function killedBy(r: ReplayReport): FatalCall | null {
  if (r.outcome.kind !== 'seccomp-killed' || r.audit === null || !r.audit.available) return null;
  return fatalCallOf(r.audit.report, r.pid) ?? null;
}

function violationLine(v: Violation): string {
  const pids = v.pids.length > 3 ? `${v.pids.slice(0, 3).join(', ')}, …` : v.pids.join(', ');
  return `  ${v.name} (${v.arch ?? v.archText}, nr ${v.nr}): ${plural(v.count, 'call')}, ${ACTION_TEXT[v.action]}, ${v.pids.length === 1 ? 'pid' : 'pids'} ${pids}`;
}

/** The report for people, one line each. */
export function formatReplayReport(r: ReplayReport): string[] {
  const name = r.command[0] ?? '';
  const lines = [`${name} ${describeOutcome(r.outcome)} (${r.mode} mode, ${r.launcher}, pid ${r.pid})`];
  const audit = r.audit;
  if (audit === null) return lines;
  if (!audit.available) {
    lines.push(`cannot read the kernel's audit records (${audit.reason}): violations are unknown; only how the program ended is`);
    return lines;
  }
  lines.push(`audit records: ${audit.source}`);
  const fatal = killedBy(r);
  if (fatal) lines.push(`killed by SIGSYS at ${fatal.name} (${fatal.arch ?? '?'}, nr ${fatal.nr}) in pid ${fatal.pid}`);
  else if (r.outcome.kind === 'seccomp-killed') lines.push('the call that killed it has no audit record');
  const vs = audit.report.violations;
  lines.push(vs.length === 0 ? 'no violations logged' : `${plural(vs.length, 'violation')}:`);
  lines.push(...vs.map(violationLine));
  if (audit.lossReports > 0) lines.push(`the kernel dropped at least ${audit.lostAtLeast} audit records meanwhile (rate limit): the list may be incomplete`);
  if (r.mode === 'errno' && r.launcher === 'bwrap') lines.push('errno mode under bwrap: bwrap loads the filter without SECCOMP_FILTER_FLAG_LOG, so the kernel does not log ERRNO denials and they are not listed');
  return lines;
}

export function replayJson(r: ReplayReport): unknown {
  const audit = r.audit;
  return {
    replay: { filter: r.filter.file, kind: r.filter.kind, arch: r.filter.arch ?? null, cache: r.filter.cache, mode: r.mode, launcher: r.launcher },
    command: r.command,
    pid: r.pid,
    outcome: { ...r.outcome, description: describeOutcome(r.outcome) },
    exitCode: r.exitCode,
    killedBy: killedBy(r),
    audit: audit === null ? null : audit.available
      ? { available: true, source: audit.source, lostAtLeast: audit.lostAtLeast, lossReports: audit.lossReports }
      : { available: false, reason: audit.reason },
    violations: audit?.available ? audit.report.violations : [],
  };
}
