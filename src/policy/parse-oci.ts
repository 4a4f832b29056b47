// OCI runtime-spec seccomp JSON (what runc, crun, Docker and Kubernetes load) → ResolvedPolicy, so `diff`
// and other readers take .oci.json files. Semantics follow libseccomp as runc drives it: the `args` of one
// entry all hold (AND); several entries for a syscall are alternatives; an entry naming one argument index
// twice becomes one alternative per condition (runc's workaround for libseccomp's one-check-per-arg rule).
import type { Arch } from '../abi/arch.js';
import { InputError, type Place } from '../errors.js';
import { argWidth } from '../syscalls/args.js';
import { syscallNumber } from '../syscalls/table.js';
import { ARG_MASK_ALL, KILL_PROCESS, type Action, type CmpOp, type Expr } from './model.js';
import type { Clause, ResolvedPolicy, ResolvedSyscall } from './resolved.js';

const EPERM = 1;
const ENOSYS = 38;

interface OciArg {
  readonly index: number;
  readonly value: bigint;
  readonly valueTwo: bigint;
  readonly op: string;
}

export interface ParsedOci {
  readonly policy: ResolvedPolicy;
  /** 1-based lines: `defaultAction`, and the first mention of each syscall name. */
  readonly defaultLine: number;
  readonly ruleLines: ReadonlyMap<string, number>;
}

export function parseOciSeccomp(text: string, file: string, arch: Arch): ParsedOci {
  const doc = parseJson(text, file);
  const lines = lineIndex(text, file);
  const at = (needle: string, from = 0): Place => {
    const offset = needle === '' ? from : text.indexOf(needle, from);
    return lines.place(offset < 0 ? 0 : offset);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InputError(at(''), 'expected a JSON object (an OCI seccomp profile)');
  const root = doc as Record<string, unknown>;
  const defaultErrno = optionalNumber(root.defaultErrnoRet, at('"defaultErrnoRet"'), 'defaultErrnoRet') ?? EPERM;
  if (typeof root.defaultAction !== 'string') throw new InputError(at('"defaultAction"'), '`defaultAction` must be a string such as "SCMP_ACT_ERRNO"');
  const defaultAction = ociAction(root.defaultAction, defaultErrno, at('"defaultAction"'));
  const entries = root.syscalls ?? [];
  if (!Array.isArray(entries)) throw new InputError(at('"syscalls"'), '`syscalls` must be an array');
  const pending = new Map<string, { conditional: Clause[]; unconditional: Action | null }>();
  const ruleLines = new Map<string, number>();
  const syscallsStart = Math.max(0, text.indexOf('"syscalls"'));
  // Where each entry's "names" is, found in one pass (a search per entry would be quadratic).
  const namesAt = offsetsOf(text, '"names"', syscallsStart);
  entries.forEach((raw: unknown, i) => {
    const entryAt = namesAt[i] ?? namesAt[namesAt.length - 1] ?? 0;
    const where = lines.place(entryAt);
    if (typeof raw !== 'object' || raw === null) throw new InputError(where, `syscalls[${i}] must be an object`);
    const entry = raw as Record<string, unknown>;
    if (!Array.isArray(entry.names) || !entry.names.every((n) => typeof n === 'string')) {
      throw new InputError(where, `syscalls[${i}].names must be an array of syscall names`);
    }
    if (typeof entry.action !== 'string') throw new InputError(where, `syscalls[${i}].action must be a string`);
    const errno = optionalNumber(entry.errnoRet, where, `syscalls[${i}].errnoRet`) ?? defaultErrno;
    const action = ociAction(entry.action, errno, where);
    const when = entryCondition(entry.args, where, i);
    for (const name of entry.names as string[]) {
      // Searched from this entry on: the first entry naming it is this one.
      if (!ruleLines.has(name)) ruleLines.set(name, at(`"${name}"`, entryAt).line);
      // Profiles list names for several arches; libseccomp skips those the filter's arch lacks.
      if (syscallNumber(arch, name) === undefined) continue;
      let p = pending.get(name);
      if (!p) pending.set(name, (p = { conditional: [], unconditional: null }));
      if (when === null) p.unconditional ??= action;
      else p.conditional.push({ when, action });
    }
  });
  const syscalls: ResolvedSyscall[] = [...pending].map(([name, p]) => ({
    nr: syscallNumber(arch, name)!,
    name,
    clauses: p.unconditional ? [...p.conditional, { when: null, action: p.unconditional }] : p.conditional,
    widths: [0, 1, 2, 3, 4, 5].map((k) => argWidth(arch, name, k)),
  }));
  return {
    policy: { arch, defaultAction, foreignArchAction: KILL_PROCESS, syscalls: syscalls.sort((a, b) => a.nr - b.nr) },
    defaultLine: at('"defaultAction"').line,
    ruleLines,
  };
}

function ociAction(name: string, errno: number, where: Place): Action {
  switch (name) {
    case 'SCMP_ACT_ALLOW': return { kind: 'allow' };
    case 'SCMP_ACT_LOG': return { kind: 'log' };
    case 'SCMP_ACT_ERRNO': return { kind: 'errno', errno };
    // Without a tracer attached the kernel fails a TRACE'd call with ENOSYS.
    case 'SCMP_ACT_TRACE': return { kind: 'errno', errno: ENOSYS };
    case 'SCMP_ACT_TRAP': return { kind: 'trap' };
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD': return { kind: 'kill-thread' };
    case 'SCMP_ACT_KILL_PROCESS': return { kind: 'kill-process' };
    case 'SCMP_ACT_NOTIFY': return { kind: 'user-notif' };
    default: throw new InputError(where, `unknown seccomp action "${name}"`, { hint: 'actions are SCMP_ACT_ALLOW, _ERRNO, _KILL_PROCESS, _KILL_THREAD, _TRAP, _LOG, _NOTIFY, _TRACE' });
  }
}

const OPS: Readonly<Record<string, CmpOp>> = {
  SCMP_CMP_NE: '!=', SCMP_CMP_LT: '<', SCMP_CMP_LE: '<=', SCMP_CMP_EQ: '==', SCMP_CMP_GE: '>=', SCMP_CMP_GT: '>',
};

function entryCondition(raw: unknown, where: Place, i: number): Expr | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw new InputError(where, `syscalls[${i}].args must be an array`);
  if (raw.length === 0) return null;
  const args = raw.map((a: unknown, k) => ociArg(a, where, `syscalls[${i}].args[${k}]`));
  const atoms = args.map(atomOf);
  const indexes = args.map((a) => a.index);
  if (new Set(indexes).size < indexes.length) return { kind: 'or', items: atoms };
  return atoms.length === 1 ? atoms[0]! : { kind: 'and', items: atoms };
}

function atomOf(a: OciArg): Expr {
  if (a.op === 'SCMP_CMP_MASKED_EQ') return { kind: 'cmp', arg: a.index, mask: a.value, op: '==', value: a.valueTwo };
  return { kind: 'cmp', arg: a.index, mask: ARG_MASK_ALL, op: OPS[a.op]!, value: a.value };
}

function ociArg(raw: unknown, where: Place, what: string): OciArg {
  if (typeof raw !== 'object' || raw === null) throw new InputError(where, `${what} must be an object`);
  const a = raw as Record<string, unknown>;
  const index = Number(a.index);
  if (!Number.isInteger(index) || index < 0 || index > 5) throw new InputError(where, `${what}.index must be 0..5`);
  if (typeof a.op !== 'string' || (a.op !== 'SCMP_CMP_MASKED_EQ' && !Object.hasOwn(OPS, a.op))) {
    throw new InputError(where, `${what}.op "${String(a.op)}" is not a seccomp comparison`, { hint: `use one of ${[...Object.keys(OPS), 'SCMP_CMP_MASKED_EQ'].join(', ')}` });
  }
  return { index, op: a.op, value: u64(a.value, where, `${what}.value`), valueTwo: u64(a.valueTwo ?? 0, where, `${what}.valueTwo`) };
}

function u64(v: unknown, where: Place, what: string): bigint {
  const big = typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : null;
  if (big === null || big < 0n || big > ARG_MASK_ALL) throw new InputError(where, `${what} must be an integer 0..2^64-1`);
  return big;
}

function optionalNumber(v: unknown, where: Place, what: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 4095) throw new InputError(where, `${what} must be an errno number 0..4095`);
  return v;
}

/** JSON.parse, keeping integers beyond 2^53 exact (as digit strings) and reporting syntax errors with a place. */
function parseJson(text: string, file: string): unknown {
  const exact = text.replace(/("(?:[^"\\]|\\.)*")|(-?\d{16,})(?![.eE\d])/g, (m, str: string | undefined) => (str ? m : `"${m}"`));
  try {
    return JSON.parse(exact);
  } catch (error) {
    // Positions shift only after a rewritten number; the first error is almost always before any of them.
    const pos = Number(/position (\d+)/.exec(String(error))?.[1] ?? 0);
    throw new InputError(lineIndex(text, file).place(Math.min(pos, text.length)), `invalid JSON: ${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}`);
  }
}

/** Every offset of `needle` in `text` from `from` on. */
function offsetsOf(text: string, needle: string, from: number): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(needle, from); at >= 0; at = text.indexOf(needle, at + needle.length)) out.push(at);
  return out;
}

/** Offsets → places by binary search over the line starts, found once. */
function lineIndex(text: string, file: string): { place: (offset: number) => Place } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    place: (offset) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      const lineStart = starts[lo]!;
      const end = text.indexOf('\n', lineStart);
      return { file, line: lo + 1, col: offset - lineStart + 1, text: text.slice(lineStart, end < 0 ? undefined : end) };
    },
  };
}
