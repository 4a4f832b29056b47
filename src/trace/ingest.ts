// Pure aggregation of parsed trace events into the rows the store keeps: observations (arch × syscall ×
// argument shape, with a count and the first occurrence), processes, and optionally one row per event.
// It holds only the aggregate, never the trace; takeBatch() hands over what changed since the last call.
import type { Arch } from '../abi/arch.js';
import { ARG_SENSITIVE, argValues, shapeKey } from './arg-values.js';
import { childPid as forkedChild, createPhaser, FORKS, type Phase, type SplitInfo } from './container-split.js';
import type { SyscallEvent, TraceEvent } from './events.js';
import type { ShapeCount } from './shape-count.js';

/** `count` is the calls since the previous batch (added to the stored count). */
export interface ObservationRow extends ShapeCount {
  /** Inside or outside a container the trace ran (see container-split.ts); 'host' for any other trace. */
  readonly phase: Phase;
  readonly firstRaw: string;
  readonly firstLine: number;
}

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number | null;
  readonly exe: string | null;
  readonly thread: boolean;
}

export interface EventRow {
  readonly seq: number;
  readonly pid: number;
  readonly arch: Arch;
  readonly nr: number;
  readonly name: string;
  /** JSON array of the top-level argument texts. */
  readonly args: string;
  readonly ret: string | null;
}

export interface IngestBatch {
  readonly observations: readonly ObservationRow[];
  readonly processes: readonly ProcessRow[];
  readonly events: readonly EventRow[];
  /** The container runtime seen so far, and where its container's calls begin. */
  readonly split: SplitInfo;
}

export interface IngestStats {
  /** Syscall events seen. */
  readonly events: number;
  /** Events not yet handed over by takeBatch(). */
  readonly pending: number;
  /** Distinct syscalls (arch, nr) per arch. */
  readonly syscallsPerArch: Readonly<Partial<Record<Arch, number>>>;
  /** Distinct (arch, nr) over all arches. */
  readonly distinct: number;
  /** Processes (not threads) seen. */
  readonly processes: number;
  /** The container runtime seen, and where its container's calls begin. */
  readonly split: SplitInfo;
}

interface Observation {
  phase: Phase;
  arch: Arch;
  nr: number;
  name: string;
  shape: string;
  firstRaw: string;
  firstLine: number;
  pending: number;
}

interface Proc {
  pid: number;
  ppid: number | null;
  exe: string | null;
  thread: boolean;
}

export interface Aggregator {
  add(event: TraceEvent): void;
  /** End of the trace: calls still waiting for their task's origin are counted (as host calls). */
  end(): void;
  takeBatch(): IngestBatch;
  /** Events not yet handed over (cheap; `stats` builds a summary). */
  readonly pending: number;
  readonly stats: IngestStats;
}

export function createAggregator(options: { recordEvents?: boolean } = {}): Aggregator {
  const slots = new Map<Arch, Map<number | string, Map<string, Observation>>>();
  const perArchCount: Partial<Record<Arch, number>> = {};
  let distinct = 0;
  const dirtyObs = new Set<Observation>();
  const procs = new Map<number, Proc>();
  const dirtyProcs = new Set<Proc>();
  let eventRows: EventRow[] = [];
  let events = 0;
  let pending = 0;
  let processCount = 0;
  const phaser = createPhaser();

  function proc(pid: number): Proc {
    let p = procs.get(pid);
    if (p === undefined) {
      p = { pid, ppid: null, exe: null, thread: false };
      procs.set(pid, p);
      processCount++;
      dirtyProcs.add(p);
    }
    return p;
  }

  // Most events are x86_64 calls without an argument shape: those find their observation by number in
  // an array (the first name seen at that number; any other name takes the maps below).
  const MAX_PLAIN_NR = 1024;
  const plainArray = () => new Array<Observation | undefined>(MAX_PLAIN_NR).fill(undefined);
  const plainNative: Record<Phase, (Observation | undefined)[]> = { host: plainArray(), runtime: plainArray(), container: plainArray() };

  function observe(ev: SyscallEvent, phase: Phase): void {
    const sensitive = Object.hasOwn(ARG_SENSITIVE, ev.name);
    const plain = !sensitive && ev.arch === 'x86_64' && ev.nr >= 0 && ev.nr < MAX_PLAIN_NR;
    const slots = plainNative[phase];
    let o = plain ? slots[ev.nr] : undefined;
    if (o === undefined || o.name !== ev.name) {
      // `ev.args` splits the call text on first use: touch it only for the argument-sensitive syscalls
      o = lookup(ev, phase, sensitive ? shapeKey(argValues(ev.name, ev.args)) : '');
      if (plain && slots[ev.nr] === undefined) slots[ev.nr] = o;
    }
    if (o.pending === 0) dirtyObs.add(o);
    o.pending++;
  }

  function lookup(ev: SyscallEvent, phase: Phase, shape: string): Observation {
    // Number-keyed maps, no string building. nr is -1 only for names strace knew and our tables do
    // not; those are keyed by name.
    let perArch = slots.get(ev.arch);
    if (perArch === undefined) slots.set(ev.arch, (perArch = new Map()));
    const slotKey = ev.nr >= 0 ? ev.nr : ev.name;
    let byShape = perArch.get(slotKey);
    if (byShape === undefined) {
      perArch.set(slotKey, (byShape = new Map()));
      perArchCount[ev.arch] = (perArchCount[ev.arch] ?? 0) + 1;
      distinct++;
    }
    const key = phase === 'host' ? shape : `${phase}\0${shape}`;
    const o = byShape.get(key);
    return o === undefined || o.name !== ev.name ? newObservation(ev, phase, shape, key, byShape) : o;
  }

  /** A new (phase, arch, nr, shape); a second name at the same number (strace and our table disagree) gets its own key. */
  function newObservation(ev: SyscallEvent, phase: Phase, shape: string, keyed: string, byShape: Map<string, Observation>): Observation {
    const key = byShape.has(keyed) ? `${keyed}\0${ev.name}` : keyed;
    const existing = byShape.get(key);
    if (existing !== undefined) return existing;
    const o: Observation = { phase, arch: ev.arch, nr: ev.nr, name: ev.name, shape, firstRaw: ev.args.join(', '), firstLine: ev.line, pending: 0 };
    byShape.set(key, o);
    return o;
  }

  function track(ev: SyscallEvent): void {
    const p = proc(ev.pid);
    const childPid = FORKS.has(ev.name) ? forkedChild(ev) : null;
    if (childPid !== null) {
      const child = proc(childPid);
      child.ppid = ev.pid;
      const thread = ev.args.some((a) => a.includes('CLONE_THREAD'));
      if (thread !== child.thread) processCount += thread ? -1 : 1;
      child.thread = thread;
      dirtyProcs.add(child);
    } else if ((ev.name === 'execve' || ev.name === 'execveat') && ev.ret === '0') {
      const path = ev.args[ev.name === 'execve' ? 0 : 1];
      if (path !== undefined) {
        p.exe = unquote(path);
        dirtyProcs.add(p);
      }
    }
  }

  function count(ev: SyscallEvent, phase: Phase): void {
    events++;
    pending++;
    observe(ev, phase);
    track(ev);
    if (options.recordEvents) {
      eventRows.push({ seq: events, pid: ev.pid, arch: ev.arch, nr: ev.nr, name: ev.name, args: JSON.stringify(ev.args), ret: ev.ret });
    }
  }

  return {
    add(ev) {
      if (ev.kind !== 'syscall') proc(ev.pid);
      phaser.push(ev, count);
    },
    end() {
      phaser.finish(count);
    },
    takeBatch() {
      const batch: IngestBatch = {
        observations: [...dirtyObs].map((o) => ({
          phase: o.phase, arch: o.arch, nr: o.nr, name: o.name, shape: o.shape, count: o.pending, firstRaw: o.firstRaw, firstLine: o.firstLine,
        })),
        processes: [...dirtyProcs].map((p) => ({ pid: p.pid, ppid: p.ppid, exe: p.exe, thread: p.thread })),
        events: eventRows,
        split: phaser.info,
      };
      for (const o of dirtyObs) o.pending = 0;
      dirtyObs.clear();
      dirtyProcs.clear();
      eventRows = [];
      pending = 0;
      return batch;
    },
    get pending() {
      return pending;
    },
    get stats(): IngestStats {
      return { events, pending, syscallsPerArch: { ...perArchCount }, distinct, processes: processCount, split: phaser.info };
    },
  };
}

/** `"/usr/bin/ls"` → `/usr/bin/ls`; a truncated `"/very/lo"...` keeps its `...`; anything else as printed. */
function unquote(text: string): string {
  const m = /^"((?:[^"\\]|\\.)*)"(\.\.\.)?$/.exec(text);
  if (m === null) return text;
  const body = (m[1] ?? '').replace(/\\(["\\])/g, '$1');
  return m[2] === undefined ? body : `${body}...`;
}
