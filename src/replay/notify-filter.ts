// Pure: the supervised replay's filter and what the supervisor does with each call. The filter to replay
// (the policy with the mode applied) is rewritten so that every return the supervisor can reproduce exactly
// becomes SECCOMP_RET_USER_NOTIF: the kernel stops the caller and tells the supervisor, which records the call
// with its six arguments and then does what the original filter would have done, looked up by running the
// original program on the same data. ALLOW stays ALLOW (no round trip); TRAP, KILL_THREAD and TRACE stay as
// they are (a user-space supervisor cannot reproduce them) and are still logged by the kernel.
import { X32_SYSCALL_BIT } from '../abi/arch.js';
import { SECCOMP_RET_USER_NOTIF } from '../abi/seccomp.js';
import { retToAction } from '../bpf/actions.js';
import { BPF_K, BPF_RET, type Insn } from '../bpf/insn.js';
import { execute } from '../bpf/interp.js';
import { validate, type Program } from '../bpf/validate.js';
import { assertNever } from '../policy/model.js';

/** What the supervisor does with a call: let it run, fail it with an errno, or kill the caller with SIGSYS
 * (and fail the call, so it never runs). */
export type Verdict =
  | { readonly kind: 'continue'; readonly action: 'log' | 'allow' }
  | { readonly kind: 'errno'; readonly errno: number }
  | { readonly kind: 'kill' };

/** Returns that notify the supervisor instead. */
function supervised(ret: number): boolean {
  const kind = retToAction(ret)?.kind;
  return kind === 'log' || kind === 'errno' || kind === 'kill-process' || kind === 'user-notif';
}

/** The notifying twin of `program`, or null when it returns the accumulator somewhere (RET A): its verdicts
 * cannot be rewritten one by one, so it runs unsupervised. */
export function notifyingProgram(program: Program): Program | null {
  const out: Insn[] = [];
  for (const insn of program) {
    if ((insn.code & 0x07) !== BPF_RET) {
      out.push(insn);
      continue;
    }
    if (insn.code !== (BPF_RET | BPF_K)) return null;
    out.push(supervised(insn.k) ? { ...insn, k: SECCOMP_RET_USER_NOTIF } : insn);
  }
  return validate(out);
}

const ENOSYS = 38;
/** Syscall numbers no kernel assigns, below the x32 bit: a probe drawn from them misses every rule of a policy
 * (rules name single numbers, at most a few thousand), so the filter answers it with its default. */
export const PROBE_NRS = { min: 0x10_0000, max: 0x3fff_0000 } as const;

/** What the original filter does with a call like this one that none of its rules names: its DEFAULT, or for an
 * arch (or x32 call) it does not check, its foreign-arch action. A call answered otherwise met one of the
 * policy's rules. `probe` is a number from PROBE_NRS, drawn at random per replay so that a policy cannot name it. */
export function defaultVerdict(program: Program, call: { nr: number; arch: number }, probe: number): Verdict {
  return verdictFor(program, { nr: (call.nr & X32_SYSCALL_BIT) | probe, arch: call.arch, args: [0n, 0n, 0n, 0n, 0n, 0n] });
}

export function sameVerdict(a: Verdict, b: Verdict): boolean {
  switch (a.kind) {
    case 'continue': return b.kind === 'continue' && a.action === b.action;
    case 'errno': return b.kind === 'errno' && a.errno === b.errno;
    case 'kill': return b.kind === 'kill';
    default: return assertNever(a);
  }
}

/** What the original filter does with this call, as the supervisor carries it out. */
export function verdictFor(program: Program, call: { nr: number; arch: number; args: readonly bigint[] }): Verdict {
  const ret = execute(program, { nr: call.nr, arch: call.arch, args: call.args }).verdict;
  const action = retToAction(ret);
  if (action === undefined) return { kind: 'errno', errno: ENOSYS };
  switch (action.kind) {
    case 'allow':
      return { kind: 'continue', action: 'allow' };
    case 'log':
      return { kind: 'continue', action: 'log' };
    case 'errno':
      return { kind: 'errno', errno: action.errno };
    // A USER_NOTIF of the policy's own has no other listener: the kernel would fail the call with ENOSYS.
    case 'user-notif':
      return { kind: 'errno', errno: ENOSYS };
    case 'kill-process':
    case 'kill-thread':
    case 'trap':
      return { kind: 'kill' };
    default:
      return assertNever(action);
  }
}
