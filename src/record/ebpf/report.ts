// Pure: the eBPF helper's report (text lines on its report fd) → the rows the strace path writes, so the
// learner, `show` and `diff` read an eBPF run exactly as a strace one.
import { constants } from 'node:os';
import { X32_SYSCALL_BIT, type Arch } from '../../abi/arch.js';
import { syscallName } from '../../syscalls/table.js';
import { ARG_SENSITIVE, keyedValue, shapeKey } from '../../trace/arg-values.js';
import { NO_SPLIT } from '../../trace/container-split.js';
import type { IngestBatch, IngestStats, ObservationRow, ProcessRow } from '../../trace/ingest.js';

/** One count line: calls of one program on one (arch, nr, captured values). */
export interface CountLine {
  readonly arch: Arch;
  readonly nr: number;
  /** i386 socketcall: the call number; else 0. */
  readonly sub: number;
  /** Bit i: value i could not be read. */
  readonly missing: number;
  readonly values: readonly [bigint, bigint, bigint];
  readonly program: string;
  readonly count: number;
}

export interface ProcLine {
  readonly tid: number;
  readonly ppid: number;
  readonly tgid: number;
  readonly thread: boolean;
  readonly execed: boolean;
  readonly program: string;
}

export type HelperExit =
  | { readonly kind: 'code'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: number }
  | { readonly kind: 'detached' };

export interface HelperReport {
  readonly counts: readonly CountLine[];
  readonly procs: readonly ProcLine[];
  /** Program key (`dev:ino`) → the path it was first exec'd by. */
  readonly programs: ReadonlyMap<string, string>;
  readonly drops: number;
  readonly exit: HelperExit | null;
  /** The helper wrote `end`: the report is whole. */
  readonly complete: boolean;
}

const ARCH_BY_CODE: readonly Arch[] = ['x86_64', 'i386'];
const PROC_THREAD = 1;
const PROC_EXECED = 2;

/** i386 socketcall's call numbers (linux/net.h SYS_*), as strace names the calls. */
const SOCKETCALLS: readonly string[] = [
  '', 'socket', 'bind', 'connect', 'listen', 'accept', 'getsockname', 'getpeername', 'socketpair', 'send', 'recv',
  'sendto', 'recvfrom', 'shutdown', 'setsockopt', 'getsockopt', 'sendmsg', 'recvmsg', 'accept4', 'recvmmsg', 'sendmmsg',
];

/** Thrown for a line the helper should never write: the helper and learn disagree (a stale build). */
export class ReportError extends Error {
  override readonly name = 'ReportError';
}

function num(text: string | undefined, line: string): number {
  if (text === undefined || !/^\d+$/.test(text)) throw new ReportError(`bad helper report line: ${line}`);
  return Number(text);
}

function big(text: string | undefined, line: string): bigint {
  if (text === undefined || !/^\d+$/.test(text)) throw new ReportError(`bad helper report line: ${line}`);
  return BigInt(text);
}

/** The helper's lines → its report; of several snapshots (running totals), the last counts. */
export function parseReport(lines: readonly string[]): HelperReport {
  const counts: CountLine[] = [];
  const procs: ProcLine[] = [];
  const programs = new Map<string, string>();
  let drops = 0;
  let exit: HelperExit | null = null;
  let complete = false;
  let snapped = false;
  for (const line of lines) {
    const f = line.split(' ');
    if (snapped && (f[0] === 'count' || f[0] === 'proc' || f[0] === 'prog')) {
      counts.length = 0;
      procs.length = 0;
      programs.clear();
      snapped = false;
    }
    switch (f[0]) {
      case 'snap':
        snapped = true;
        break;
      case 'count': {
        const arch = ARCH_BY_CODE[num(f[1], line)];
        if (arch === undefined) throw new ReportError(`bad helper report line: ${line}`);
        counts.push({
          arch, nr: num(f[2], line), sub: num(f[3], line), missing: num(f[4], line),
          values: [big(f[5], line), big(f[6], line), big(f[7], line)],
          program: `${num(f[8], line)}:${num(f[9], line)}`, count: num(f[10], line),
        });
        break;
      }
      case 'proc': {
        const flags = num(f[4], line);
        procs.push({
          tid: num(f[1], line), ppid: num(f[2], line), tgid: num(f[3], line),
          thread: (flags & PROC_THREAD) !== 0, execed: (flags & PROC_EXECED) !== 0,
          program: `${num(f[5], line)}:${num(f[6], line)}`,
        });
        break;
      }
      case 'prog':
        programs.set(`${num(f[1], line)}:${num(f[2], line)}`, Buffer.from(f[3] ?? '', 'hex').toString('utf8'));
        break;
      case 'drops':
        drops = num(f[1], line);
        break;
      case 'exit':
        exit = f[1] === 'code' ? { kind: 'code', code: num(f[2], line) }
          : f[1] === 'signal' ? { kind: 'signal', signal: num(f[2], line) }
          : { kind: 'detached' };
        break;
      case 'end':
        complete = true;
        break;
      case 'ready':
      case '':
        break;
      default:
        throw new ReportError(`bad helper report line: ${line}`);
    }
  }
  return { counts, procs, programs, drops, exit, complete };
}

/** The name strace gives a call: the table's, the socketcall's subcall, else `syscall_0x…`. */
function callName(c: CountLine): string {
  if (c.arch === 'i386' && syscallName('i386', c.nr) === 'socketcall') return SOCKETCALLS[c.sub] || 'socketcall';
  const nr = c.arch === 'x86_64' ? c.nr & ~X32_SYSCALL_BIT : c.nr;
  return syscallName(c.arch, nr) ?? `syscall_0x${c.nr.toString(16)}`;
}

function shapeOf(name: string, c: CountLine): { shape: string; raw: string } {
  const positions = Object.hasOwn(ARG_SENSITIVE, name) ? ARG_SENSITIVE[name] : undefined;
  if (positions === undefined) return { shape: '', raw: '' };
  const values = positions.map((_, i) => {
    const v = (c.missing >> i) & 1 ? undefined : c.values[i];
    return v === undefined ? null : keyedValue(name, v);
  });
  return { shape: shapeKey(values), raw: values.map((v) => (v === null ? '?' : `0x${v.toString(16)}`)).join(', ') };
}

export interface EbpfRows {
  readonly batch: IngestBatch;
  readonly stats: IngestStats;
}

/** The store rows for a report: observations summed over programs, one process row per task. */
export function reportRows(report: HelperReport): EbpfRows {
  const observations = new Map<string, ObservationRow & { count: number }>();
  const perArch = new Map<Arch, Set<number>>();
  let events = 0;
  for (const c of report.counts) {
    const name = callName(c);
    const { shape, raw } = shapeOf(name, c);
    const key = `${c.arch}\0${c.nr}\0${name}\0${shape}`;
    const row = observations.get(key);
    if (row === undefined) observations.set(key, { phase: 'host', arch: c.arch, nr: c.nr, name, shape, count: c.count, firstRaw: raw, firstLine: 0 });
    else row.count += c.count;
    events += c.count;
    let nrs = perArch.get(c.arch);
    if (nrs === undefined) perArch.set(c.arch, (nrs = new Set()));
    nrs.add(c.nr);
  }
  const processes: ProcessRow[] = report.procs.map((p) => ({
    pid: p.tid,
    ppid: p.ppid === 0 ? null : p.ppid,
    exe: p.execed ? (report.programs.get(p.program) ?? null) : null,
    thread: p.thread,
  }));
  const syscallsPerArch: Partial<Record<Arch, number>> = {};
  let distinct = 0;
  for (const [arch, nrs] of perArch) {
    syscallsPerArch[arch] = nrs.size;
    distinct += nrs.size;
  }
  return {
    batch: { observations: [...observations.values()], processes, events: [], split: NO_SPLIT },
    stats: { events, pending: 0, syscallsPerArch, distinct, processes: processes.filter((p) => !p.thread).length, split: NO_SPLIT },
  };
}

/**
 * Turns successive snapshots (running totals) into what to add to the store each time: observation counts
 * since the previous snapshot, and process rows that are new or changed.
 */
export function createDeltaTracker(): (rows: EbpfRows) => IngestBatch {
  const counted = new Map<string, number>();
  const procs = new Map<number, string>();
  return (rows) => {
    const observations: ObservationRow[] = [];
    for (const o of rows.batch.observations) {
      const key = `${o.arch}\0${o.nr}\0${o.name}\0${o.shape}`;
      const before = counted.get(key) ?? 0;
      if (o.count > before) observations.push({ ...o, count: o.count - before });
      counted.set(key, o.count);
    }
    const processes = rows.batch.processes.filter((p) => {
      const text = JSON.stringify(p);
      if (procs.get(p.pid) === text) return false;
      procs.set(p.pid, text);
      return true;
    });
    return { observations, processes, events: [], split: NO_SPLIT };
  };
}

/** A run that lost any count (a full kernel map) is incomplete: its policy could miss a call. */
export function runStatus(report: HelperReport): 'complete' | 'incomplete' {
  return report.drops > 0 ? 'incomplete' : 'complete';
}

/** The exit in the terms learn reports: a code, or a signal name. */
export function exitOf(exit: HelperExit | null): { exitCode: number | null; signal: NodeJS.Signals | null } {
  if (exit === null) return { exitCode: null, signal: null };
  switch (exit.kind) {
    case 'code': return { exitCode: exit.code, signal: null };
    case 'detached': return { exitCode: 0, signal: null };
    case 'signal': {
      const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((s) => constants.signals[s] === exit.signal);
      return { exitCode: null, signal: name ?? null };
    }
  }
}
