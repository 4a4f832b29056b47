// The streaming strace parser: feed it physical lines, get completed events. It keeps only per-pid
// state (the pending unfinished half of a call, the personality, which pids are alive), never the trace.
import { OPEN_ARGS, parseCall } from './call.js';
import type { ParseProblem, TraceEvent } from './events.js';
import type { Marker, Mode } from './markers.js';
import { parseStraceLine } from './parse-line.js';
import { ParsedSyscall } from './syscall-event.js';
import { identifySyscall } from './syscall-id.js';

export interface StraceParserOptions {
  /** For messages. */
  file?: string;
  /** Pid for lines without one (a single-process trace, or an `-ff` file `trace.<pid>`). */
  defaultPid?: number;
}

export interface StraceParser {
  /** Feed one physical line (no trailing newline); returns the events completed by it. null: a line longer
   * than MAX_LINE_LENGTH that the reader did not keep (counted as a bad line, like one fed whole). */
  feed(line: string | null): TraceEvent[];
  /** End of input: flushes pending unfinished calls (as events with ret null) and returns them. */
  finish(): TraceEvent[];
  /** The first MAX_PROBLEMS problems; `stats` counts all of them. */
  readonly problems: readonly ParseProblem[];
  /** `orphans`: resumed halves without a start, and starts replaced or never resumed before their pid moved on. */
  readonly stats: { lines: number; events: number; badLines: number; skipped: number; orphans: number };
}

export const MAX_PROBLEMS = 20;
/** Longest line parsed: far beyond any strace line (`-s 65536` strings escape to 256 KiB), and small enough
 * that a hostile one costs a counted skip rather than gigabytes. */
export const MAX_LINE_LENGTH = 4 << 20;
const MAX_PROBLEM_TEXT = 200;

interface Pending {
  readonly name: string;
  readonly scno: number;
  /** Line text up to the `<unfinished ...>` marker, prefix included. */
  readonly head: string;
  /** Index of the call's `(` in `head`. */
  readonly open: number;
  readonly line: number;
}

function describe(text: string, reason: string): string {
  return /[\x00-\x08\x0e-\x1f\x7f-\uffff]/.test(text) ? `binary data (${reason})` : reason;
}

export function createStraceParser(options: StraceParserOptions = {}): StraceParser {
  const defaultPid = options.defaultPid;
  const problems: ParseProblem[] = [];
  const stats = { lines: 0, events: 0, badLines: 0, skipped: 0, orphans: 0 };
  const pending = new Map<number, Pending>();
  const modes = new Map<number, Mode>();
  const live = new Set<number>();
  let lastPid = -1;
  let summary = false;
  /** Text to put in front of the next line: the first half of a line strace's message was spliced into. */
  let carry: string | null = null;
  let carryLine = 0;
  /** A call line cut short, kept to see whether the next line completes it. */
  let held: string | null = null;
  let heldLine = 0;

  function problem(line: number, text: string, reason: string): void {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, text: text.slice(0, MAX_PROBLEM_TEXT), reason });
  }

  function badLine(line: number, text: string, reason: string): void {
    stats.badLines++;
    problem(line, text, describe(text, reason));
  }

  function resolvePid(pid: number, except = -1): number {
    if (pid >= 0) {
      if (pid !== lastPid) {
        live.add(pid);
        lastPid = pid;
      }
      return pid;
    }
    if (defaultPid !== undefined) return defaultPid;
    // stderr captures drop `[pid N]` while only one tracee is alive
    let only = -1;
    for (const p of live) {
      if (p === except) continue;
      if (only >= 0) return lastPid >= 0 ? lastPid : 0;
      only = p;
    }
    return only >= 0 ? only : lastPid >= 0 ? lastPid : 0;
  }

  function modeOf(pid: number): Mode {
    return modes.size === 0 ? 'x86_64' : (modes.get(pid) ?? 'x86_64');
  }

  /** `src` is the call text with its `(` at `open` (the raw line, or a rebuilt one). */
  function syscallEvent(pid: number, name: string, scno: number, ret: string | null, errno: string | null,
    line: number, raw: string, src: string, open: number): ParsedSyscall {
    const { arch, nr } = identifySyscall(name, scno, modeOf(pid));
    stats.events++;
    return new ParsedSyscall(pid, arch, nr, name, ret, errno, line, raw, src, open);
  }

  /** The pending first half of `pid` as an event that never returned. */
  function flush(pid: number, out: TraceEvent[]): void {
    const p = pending.get(pid);
    if (!p) return;
    pending.delete(pid);
    out.push(syscallEvent(pid, p.name, p.scno, null, null, p.line, p.head, p.head, p.open));
  }

  function onMarker(pid: number, marker: Marker, line: number, out: TraceEvent[]): void {
    switch (marker.kind) {
      case 'signal':
        stats.events++;
        out.push({ kind: 'signal', pid: resolvePid(pid), signal: marker.signal, syscall: marker.syscall,
          syscallArch: marker.syscallArch, line });
        return;
      case 'stopped':
        stats.skipped++;
        return;
      case 'exit': {
        const p = resolvePid(pid);
        flush(p, out);
        live.delete(p);
        stats.events++;
        out.push({ kind: 'exit', pid: p, code: marker.code, signal: marker.signal, coreDumped: marker.coreDumped,
          superseded: null, line });
        return;
      }
      case 'superseded': {
        // The thread `by` ran execve; it now continues as `p`, and its pending execve resumes under `p`.
        const p = resolvePid(pid, marker.by);
        flush(p, out);
        const moved = pending.get(marker.by);
        if (moved) {
          pending.delete(marker.by);
          pending.set(p, moved);
        }
        live.delete(marker.by);
        stats.events++;
        out.push({ kind: 'exit', pid: p, code: null, signal: null, coreDumped: false, superseded: marker.by, line });
        return;
      }
      case 'personality': {
        // The pid the line is attributed to, like the calls around it (`PID=N` may be unknown otherwise)
        const p = resolvePid(pid);
        if (marker.mode === 'x86_64') modes.delete(p);
        else modes.set(p, marker.mode);
        stats.events++;
        out.push({ kind: 'personality', pid: p, arch: marker.mode === 'i386' ? 'i386' : 'x86_64',
          x32: marker.mode === 'x32', line });
        return;
      }
    }
  }

  function feedText(text: string, line: number): TraceEvent[] {
    const parsed = parseStraceLine(text);
    const out: TraceEvent[] = [];
    switch (parsed.kind) {
      case 'call': {
        const pid = resolvePid(parsed.pid);
        const call = parsed.call;
        if (call.state !== 'unfinished') {
          // the common line: a one-element literal, not `out` grown by push
          return [syscallEvent(pid, parsed.name, parsed.scno, call.ret, call.errno, line, text, text, parsed.open)];
        }
        if (pending.has(pid)) {
          stats.orphans++;
          problem(line, text, 'a new call started before the pending one resumed');
          flush(pid, out);
        }
        pending.set(pid, { name: parsed.name, scno: parsed.scno, head: text.slice(0, call.cut), open: parsed.open, line });
        return out;
      }
      case 'resumed': {
        const pid = resolvePid(parsed.pid);
        let p = pending.get(pid);
        let from = pid;
        if (!p && defaultPid === undefined && pending.get(0)?.name === parsed.name) {
          // stderr -f: the first process's lines carry no pid until it forks; they went to pid 0
          p = pending.get(0);
          from = 0;
        }
        if (p && p.name === parsed.name) {
          pending.delete(from);
          const joined = p.head + text.slice(parsed.rest);
          const call = parseCall(joined, p.open);
          if (typeof call === 'string') badLine(line, joined, call);
          else out.push(syscallEvent(pid, p.name, p.scno >= 0 ? p.scno : parsed.scno, call.ret, call.errno, p.line,
            joined, joined, p.open));
          return out;
        }
        stats.orphans++;
        problem(line, text, p ? `resumed ${parsed.name} while ${p.name} was pending` : 'resumed call without its start');
        if (p) flush(pid, out);
        // Keep what is there: the arguments after the resume point and the result.
        const rest = `${parsed.name}(${text.slice(parsed.rest)}`;
        const open = parsed.name.length;
        const call = parseCall(rest, open);
        const known = identifySyscall(parsed.name, parsed.scno, modeOf(pid)).nr >= 0;
        if (typeof call !== 'string' && known) {
          out.push(syscallEvent(pid, parsed.name, parsed.scno, call.ret, call.errno, line, text, rest, open));
        } else badLine(line, text, typeof call === 'string' ? call : `unknown syscall ${parsed.name}`);
        return out;
      }
      case 'marker':
        onMarker(parsed.pid, parsed.marker, line, out);
        return out;
      case 'skip':
        stats.skipped++;
        if (parsed.summary) summary = true;
        return out;
      case 'bad':
        if (parsed.splice > 0) {
          // `…SIGCHLDstrace: Process 6149 attached` + `, child_tidptr=…) = 6149`: rejoin the two halves
          carry = text.slice(0, parsed.splice);
          carryLine = line;
        } else if (parsed.open && !summary) {
          held = text;
          heldLine = line;
        } else if (summary) stats.skipped++; // the rows of a -c/-C table
        else badLine(line, text, parsed.reason);
        return out;
    }
  }

  return {
    problems,
    stats,
    feed(line: string | null): TraceEvent[] {
      stats.lines++;
      if (line === null || line.length > MAX_LINE_LENGTH) {
        // whatever it would have completed stays incomplete
        if (carry !== null) badLine(carryLine, carry, 'line cut by a strace message, then an overlong line');
        if (held !== null) badLine(heldLine, held, OPEN_ARGS);
        carry = held = null;
        badLine(stats.lines, '', `line longer than ${MAX_LINE_LENGTH} characters`);
        return [];
      }
      if (carry !== null) {
        const text = carry + line;
        carry = null;
        return feedText(text, carryLine);
      }
      if (held !== null) {
        const text = held;
        held = null;
        // stderr capture: the program's own output ended the line, `write(2, "oops\n", 5oops` + `) = 5`
        if (line.charCodeAt(0) === 0x29 /* ) */) return feedText(text + line, heldLine);
        badLine(heldLine, text, OPEN_ARGS);
      }
      return feedText(line, stats.lines);
    },
    finish(): TraceEvent[] {
      const out: TraceEvent[] = [];
      if (carry !== null) {
        const text = carry;
        carry = null;
        out.push(...feedText(text, carryLine));
      }
      if (held !== null) {
        badLine(heldLine, held, OPEN_ARGS);
        held = null;
      }
      for (const pid of [...pending.keys()]) flush(pid, out);
      return out;
    },
  };
}
