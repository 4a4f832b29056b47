// Pure: the supervisor's record of the calls it was told about, kept per (arch, syscall, verdict) with an
// exact count, the callers, the distinct argument tuples (the first few, in full) and the call shapes the
// store keeps (the values of the arguments a policy can constrain, as a trace would record them).
import { archFromAudit, type Arch } from '../abi/arch.js';
import { argWidth } from '../syscalls/args.js';
import { displayName } from '../syscalls/table.js';
import { ARG_SENSITIVE, shapeKey, valuesInMemory } from '../trace/arg-values.js';
import type { ObservationRow } from '../trace/ingest.js';
import type { Verdict } from './notify-filter.js';

/** How the supervisor answered: the call ran (log), failed with an errno, or its caller was killed. */
export type SupervisedAction = 'log' | 'errno' | 'kill';

export interface SupervisedCall {
  readonly arch: Arch | null;
  readonly archValue: number;
  readonly nr: number;
  readonly name: string;
  readonly action: SupervisedAction;
  /** The errno returned (errno action). */
  readonly errno: number | null;
  /** Answered by one of the policy's own rules (e.g. an ERRNO fallback) rather than its DEFAULT: the policy
   * working as written, not a call it lacks. */
  readonly byRule: boolean;
  readonly count: number;
  /** Callers (thread ids), ascending. */
  readonly pids: readonly number[];
  /** Distinct argument tuples in the order first seen, six values each as 0x-hex, with their counts. */
  readonly argSets: readonly { readonly args: readonly string[]; readonly count: number }[];
  /** Calls whose tuple was not kept (beyond MAX_ARG_SETS distinct ones). */
  readonly otherArgCalls: number;
  /** Store shapes (shapeKey of the constrainable arguments; '' when the syscall has none) with counts. */
  readonly shapes: readonly { readonly shape: string; readonly count: number }[];
}

/** A process the supervisor killed, and the call that did it. */
export interface SupervisedKill {
  readonly pid: number;
  readonly arch: Arch | null;
  readonly nr: number;
  readonly name: string;
  readonly args: readonly string[];
  /** SIGSYS, or SIGKILL for a caller that catches or blocks SIGSYS. */
  readonly signal: 'SIGSYS' | 'SIGKILL';
}

export interface SupervisorLog {
  readonly calls: readonly SupervisedCall[];
  readonly kills: readonly SupervisedKill[];
  /** Notifications whose caller was gone before the answer (killed meanwhile): recorded, not answered. */
  readonly vanished: number;
}

export const MAX_ARG_SETS = 16;

/** A call group while it fills: what identifies it, and the running tallies. */
interface Group {
  readonly call: Pick<SupervisedCall, 'arch' | 'archValue' | 'nr' | 'name' | 'action' | 'errno' | 'byRule'>;
  count: number;
  readonly pids: Set<number>;
  readonly argSets: Map<string, { args: string[]; count: number }>;
  otherArgCalls: number;
  readonly shapes: Map<string, number>;
}

export interface NotifiedCall {
  readonly pid: number;
  readonly nr: number;
  readonly arch: number;
  readonly args: readonly bigint[];
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

function actionOf(v: Verdict): { action: SupervisedAction; errno: number | null } {
  if (v.kind === 'continue') return { action: 'log', errno: null };
  if (v.kind === 'errno') return { action: 'errno', errno: v.errno };
  return { action: 'kill', errno: null };
}

export function nameOf(arch: Arch | null, nr: number): string {
  return arch === null ? `syscall_${nr}` : displayName(arch, nr);
}

/** The store's shape key for a call: the constrainable argument values by position, as a trace gives them
 * (an `int` argument is its low word: the high word of the register may hold anything). */
export function callShape(arch: Arch | null, name: string, args: readonly bigint[]): string {
  const positions = Object.hasOwn(ARG_SENSITIVE, name) ? ARG_SENSITIVE[name] : undefined;
  if (positions === undefined) return '';
  return shapeKey(positions.map((p) => {
    const v = args[p];
    // a pointer to the values (clone3's struct): the supervisor does not read the target's memory
    if (v === undefined || valuesInMemory(name)) return null;
    return arch !== null && argWidth(arch, name, p) === 32 ? v & 0xffff_ffffn : v;
  }));
}

export class CallLog {
  private readonly groups = new Map<string, Group>();
  private readonly kills: SupervisedKill[] = [];
  private vanished = 0;

  /** `answeredBy`: whether the verdict is the filter's DEFAULT or one of its rules' (notify-filter.ts defaultVerdict). */
  add(call: NotifiedCall, verdict: Verdict, answeredBy: 'default' | 'rule'): void {
    const { action, errno } = actionOf(verdict);
    const key = `${call.arch}:${call.nr}:${action}:${errno ?? ''}`;
    let g = this.groups.get(key);
    if (g === undefined) {
      const arch = archFromAudit(call.arch) ?? null;
      g = {
        call: { arch, archValue: call.arch, nr: call.nr, name: nameOf(arch, call.nr), action, errno, byRule: answeredBy === 'rule' },
        count: 0, pids: new Set(), argSets: new Map(), otherArgCalls: 0, shapes: new Map(),
      };
      this.groups.set(key, g);
    }
    g.count++;
    g.pids.add(call.pid);
    const args = call.args.map(hex);
    const argKey = args.join(',');
    const set = g.argSets.get(argKey);
    if (set !== undefined) set.count++;
    else if (g.argSets.size < MAX_ARG_SETS) g.argSets.set(argKey, { args, count: 1 });
    else g.otherArgCalls++;
    const shape = callShape(g.call.arch, g.call.name, call.args);
    g.shapes.set(shape, (g.shapes.get(shape) ?? 0) + 1);
  }

  killed(call: NotifiedCall, signal: SupervisedKill['signal']): void {
    const arch = archFromAudit(call.arch) ?? null;
    this.kills.push({ pid: call.pid, arch, nr: call.nr, name: nameOf(arch, call.nr), args: call.args.map(hex), signal });
  }

  lost(): void {
    this.vanished++;
  }

  result(): SupervisorLog {
    const calls = [...this.groups.values()].map((g) => ({
      ...g.call, count: g.count,
      pids: [...g.pids].sort((a, b) => a - b),
      argSets: [...g.argSets.values()],
      otherArgCalls: g.otherArgCalls,
      shapes: [...g.shapes].map(([shape, count]) => ({ shape, count })),
    }));
    return { calls, kills: [...this.kills], vanished: this.vanished };
  }
}

/** The calls the policy lacks (its DEFAULT answered them) as store observations; calls its own rules answered
 * and calls on an arch we have no tables for are left out. */
export function callObservations(log: SupervisorLog): ObservationRow[] {
  return log.calls.flatMap((c) => {
    const arch = c.arch;
    if (arch === null || c.byRule) return [];
    const first = c.argSets[0]?.args.join(', ') ?? '';
    return c.shapes.map((s) => ({ phase: 'host' as const, arch, nr: c.nr, name: c.name, shape: s.shape, count: s.count, firstRaw: first, firstLine: 0 }));
  });
}
