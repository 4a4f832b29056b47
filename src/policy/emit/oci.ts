// ResolvedPolicy → OCI runtime-spec `linux.seccomp` JSON (Docker, Podman, containerd, Kubernetes, runc).
// libseccomp ANDs the comparisons of one rule and allows one comparison per argument, so each OR branch
// becomes an entry of its own; comparisons that SCMP_CMP_* cannot state are dropped and reported.
import type { Arch } from '../../abi/arch.js';
import { ARG_MASK_ALL, assertNever, sameAction, type Action, type Expr } from '../model.js';
import type { ResolvedPolicy, ResolvedSyscall } from '../resolved.js';
import { andNot, toDnf, type Cmp } from './dnf.js';
import type { Diagnostic, Emitted } from './emitted.js';
import { jsonText } from './json-text.js';

export interface OciArg {
  readonly index: number;
  readonly value: bigint;
  readonly valueTwo?: bigint;
  readonly op: string;
}

export interface OciSyscall {
  readonly names: string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly args?: OciArg[];
}

export interface OciSeccomp {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures: string[];
  readonly syscalls: OciSyscall[];
}

const NATIVE: Readonly<Record<Arch, string>> = { x86_64: 'SCMP_ARCH_X86_64', i386: 'SCMP_ARCH_X86', aarch64: 'SCMP_ARCH_AARCH64' };
/** The ABIs a kernel of that arch also runs; Docker lists them so 32-bit binaries work in the container. */
const SUB_ARCHES: Readonly<Record<Arch, readonly string[]>> = { x86_64: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'], i386: [], aarch64: ['SCMP_ARCH_ARM'] };
const OPS = { '==': 'SCMP_CMP_EQ', '!=': 'SCMP_CMP_NE', '<': 'SCMP_CMP_LT', '<=': 'SCMP_CMP_LE', '>': 'SCMP_CMP_GT', '>=': 'SCMP_CMP_GE' } as const;
const LOW32 = 0xffffffffn;

export interface OciOptions {
  /** List the secondary ABIs (default true, as Docker does); their calls then get the same rules by name. */
  readonly subArchitectures?: boolean;
}

export function emitOci(policy: ResolvedPolicy, options: OciOptions = {}): Emitted {
  const losses: Diagnostic[] = [];
  const sub = (options.subArchitectures ?? true) ? SUB_ARCHES[policy.arch] : [];
  if (sub.length > 0 && !sameAction(policy.foreignArchAction, { kind: 'allow' })) {
    losses.push({ code: 'sub-arch', message: `calls from ${sub.join(', ')} get the same rules by name, where the policy gives other ABIs ${policy.foreignArchAction.kind}` });
  }
  const unconditional = new Map<string, { action: Action; names: string[] }>();
  const conditional: OciSyscall[] = [];
  for (const s of policy.syscalls) {
    for (const { action, when } of decidedRegions(s, policy.defaultAction)) {
      const disjuncts = toDnf(when);
      if (disjuncts === null) losses.push(lost(s.name, 'its condition has too many alternatives or compares two arguments; allowed for any arguments'));
      for (const conj of disjuncts ?? [[]]) {
        const args = ociArgs(s, conj, losses);
        if (args.length > 0) {
          conditional.push({ names: [s.name], ...ociAction(action, losses), args });
          continue;
        }
        // Nothing left to compare (or nothing to begin with): the syscall gets the action outright.
        const key = JSON.stringify(action);
        const group = unconditional.get(key) ?? unconditional.set(key, { action, names: [] }).get(key)!;
        if (!group.names.includes(s.name)) group.names.push(s.name);
      }
    }
  }
  const seccomp: OciSeccomp = {
    ...defaultAction(policy.defaultAction, losses),
    architectures: [NATIVE[policy.arch], ...sub],
    syscalls: [
      ...[...unconditional.values()].map(({ action, names }) => ({ names: names.sort(), ...ociAction(action, losses) })),
      ...conditional,
    ],
  };
  // Values go out as exact integer literals: the runtimes read them as uint64.
  return { text: jsonText(seccomp, 'number'), losses: dedupe(losses) };
}

/** Per non-default action, the arguments for which the first-match clauses of one syscall give it. */
function decidedRegions(s: ResolvedSyscall, fallback: Action) {
  const out: { action: Action; when: Expr }[] = [];
  s.clauses.forEach((clause, i) => {
    if (sameAction(clause.action, fallback)) return;
    // Earlier clauses with the same action decide the same way, so only the others need excluding.
    const earlier = s.clauses.slice(0, i).filter((c) => !sameAction(c.action, clause.action)).map((c) => c.when ?? { kind: 'true' as const });
    out.push({ action: clause.action, when: andNot(clause.when, earlier) });
  });
  return out;
}

function ociArgs(s: ResolvedSyscall, conj: readonly Cmp[], losses: Diagnostic[]): OciArg[] {
  const out: OciArg[] = [];
  for (const c of conj) {
    const arg = toOciArg(c, s.widths[c.arg] === 32);
    if (arg === null) {
      losses.push(lost(s.name, `(arg${c.arg} & ${hex(c.mask)}) ${c.op} ${hex(c.value)} has no SCMP_CMP_* form and is dropped`));
    } else if (out.some((o) => o.index === arg.index)) {
      losses.push(lost(s.name, `libseccomp takes one comparison per argument; a second one on arg${c.arg} is dropped`));
    } else out.push(arg);
  }
  return out;
}

/** A 32-bit argument is compared on its low word (the kernel ignores the rest), which MASKED_EQ can say. */
function toOciArg(c: Cmp, is32: boolean): OciArg | null {
  const width = is32 ? LOW32 : ARG_MASK_ALL;
  const mask = c.mask & width;
  if (mask === ARG_MASK_ALL) return { index: c.arg, value: c.value, op: OPS[c.op] };
  if (c.op === '==') return { index: c.arg, value: mask, valueTwo: c.value & mask, op: 'SCMP_CMP_MASKED_EQ' };
  if (mask === LOW32) return { index: c.arg, value: c.value & LOW32, op: OPS[c.op] };
  return null;
}

function ociAction(action: Action, losses: Diagnostic[]): { action: string; errnoRet?: number } {
  switch (action.kind) {
    case 'allow': return { action: 'SCMP_ACT_ALLOW' };
    case 'log': return { action: 'SCMP_ACT_LOG' };
    case 'errno': return { action: 'SCMP_ACT_ERRNO', errnoRet: action.errno };
    case 'trap': return { action: 'SCMP_ACT_TRAP' };
    case 'kill-process': return { action: 'SCMP_ACT_KILL_PROCESS' };
    case 'kill-thread': return { action: 'SCMP_ACT_KILL_THREAD' };
    case 'user-notif':
      losses.push({ code: 'needs-listener', message: 'SCMP_ACT_NOTIFY needs `listenerPath` set to the supervisor socket before a runtime accepts it' });
      return { action: 'SCMP_ACT_NOTIFY' };
    default: return assertNever(action);
  }
}

function defaultAction(action: Action, losses: Diagnostic[]): { defaultAction: string; defaultErrnoRet?: number } {
  const { action: name, errnoRet } = ociAction(action, losses);
  return errnoRet === undefined ? { defaultAction: name } : { defaultAction: name, defaultErrnoRet: errnoRet };
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

function lost(syscall: string, why: string): Diagnostic {
  return { code: 'condition-dropped', syscall, message: `${syscall}: ${why}` };
}

function dedupe(losses: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return losses.filter((l) => !seen.has(l.message) && seen.add(l.message) !== undefined);
}
