// Pure: `learn check`. Every recorded call shape (arch, number, the argument values the recording kept) runs
// through the BPF interpreter; a shape the filter would not ALLOW (or LOG) is a denial. Arguments the recording
// did not keep are unknown: when the filter reads arguments on that path, the shape is probed with several
// values for them, and one whose verdict changes with them is reported apart as undetermined. Calls to numbers
// our tables do not name (strace's `syscall_0x…`) are reported apart too: no policy can name them, so the
// learner leaves them out, and their denial is the program's problem, not the policy's.
import { AUDIT_ARCH, type Arch } from '../abi/arch.js';
import { describeRet, retToAction } from '../bpf/actions.js';
import { execute } from '../bpf/interp.js';
import type { Program } from '../bpf/validate.js';
import { fallbackLetsThrough, type AnswerOf } from '../learn/clone3-fallback.js';
import { storedValues } from '../learn/observations.js';
import { syscallNumber } from '../syscalls/table.js';
import { registerValues } from '../trace/arg-values.js';
import type { ShapeCount } from '../trace/shape-count.js';

/** One recorded shape, as the store (or an in-memory aggregate of a trace) keeps it. */
export interface CheckShape extends ShapeCount {
  /** Arguments of the first call, as strace printed them. */
  readonly firstRaw: string;
}

export interface Denial extends CheckShape {
  /** What the filter returns, in the policy language's spelling (KILL_PROCESS, ERRNO(1), …). */
  readonly action: string;
}

export interface Undetermined extends CheckShape {
  /** Argument positions the recording lacks; the verdict depends on one of them. */
  readonly unknown: readonly number[];
}

export interface CheckResult {
  readonly shapes: number;
  readonly calls: number;
  readonly denied: readonly Denial[];
  readonly undetermined: readonly Undetermined[];
  /** Calls to numbers without a name in our tables that the filter does not allow. */
  readonly unnamed: readonly Denial[];
}

const ARGS = 6;
const U64_MAX = (1n << 64n) - 1n;
/** Values an unknown argument is tried with: zero, all ones, and the edges of the low and high words. */
const PROBES: readonly bigint[] = [0n, U64_MAX, 1n, 0xffff_ffffn, 0x8000_0000n, 0x1_0000_0000n];

/** The six argument values by position as the filter reads them (null: not recorded, or not the register, as
 * clone3's flags), and the positions that are null. */
function argumentsOf(name: string, values: readonly (bigint | null)[] | null): { known: (bigint | null)[]; unknown: number[] } {
  const byPos = registerValues(name, values) ?? [];
  const known = Array.from({ length: ARGS }, (_, i) => byPos[i] ?? null);
  return { known, unknown: known.flatMap((v, i) => (v === null ? [i] : [])) };
}

function allows(verdict: number): boolean {
  const kind = retToAction(verdict)?.kind;
  return kind === 'allow' || kind === 'log';
}

type Verdict = { readonly kind: 'decided'; readonly verdict: number } | { readonly kind: 'undetermined'; readonly unknown: number[] };

function judge(program: Program, arch: Arch, nr: number, name: string, values: readonly (bigint | null)[] | null): Verdict {
  const { known, unknown } = argumentsOf(name, values);
  const run = (fill: bigint) => execute(program, { nr, arch: AUDIT_ARCH[arch], args: known.map((v) => v ?? fill) });
  const first = run(0n);
  if (!first.readArgs || unknown.length === 0) return { kind: 'decided', verdict: first.verdict };
  const verdicts = PROBES.map((p) => run(p).verdict);
  const agree = verdicts.every((v) => allows(v) === allows(first.verdict));
  return agree ? { kind: 'decided', verdict: first.verdict } : { kind: 'undetermined', unknown };
}

/** The filter's answers for `fallbackLetsThrough`, on one arch. */
function answersOf(program: Program, arch: Arch): AnswerOf {
  return (name, args) => {
    const nr = syscallNumber(arch, name);
    if (nr === undefined) return null;
    const v = judge(program, arch, nr, name, args);
    return v.kind === 'decided' ? retToAction(v.verdict) ?? null : null;
  };
}

/** Checks every shape against the filter for its arch (`filterFor` may return one filter for all arches). */
export function checkShapes(shapes: readonly CheckShape[], filterFor: (arch: Arch) => Program): CheckResult {
  const denied: Denial[] = [];
  const undetermined: Undetermined[] = [];
  const unnamed: Denial[] = [];
  let calls = 0;
  for (const s of shapes) {
    calls += s.count;
    const program = filterFor(s.arch);
    const values = storedValues(s.name, s.shape);
    const v = judge(program, s.arch, s.nr, s.name, values);
    // a clone3 call the filter answers ENOSYS runs as clone with its flags (src/learn/clone3-fallback.ts)
    if (fallbackLetsThrough({ name: s.name, values }, answersOf(program, s.arch))) continue;
    if (v.kind === 'undetermined') undetermined.push({ ...s, unknown: v.unknown });
    else if (!allows(v.verdict)) (syscallNumber(s.arch, s.name) === s.nr ? denied : unnamed).push({ ...s, action: describeRet(v.verdict) });
  }
  return { shapes: shapes.length, calls, denied, undetermined, unnamed };
}

/** Denied syscalls, one per (arch, name), with their calls summed: the short answer. */
export function deniedSyscalls(result: CheckResult): { arch: Arch; name: string; calls: number }[] {
  const out = new Map<string, { arch: Arch; name: string; calls: number }>();
  for (const d of result.denied) {
    const key = `${d.arch}:${d.name}`;
    const e = out.get(key) ?? { arch: d.arch, name: d.name, calls: 0 };
    e.calls += d.count;
    out.set(key, e);
  }
  return [...out.values()];
}
