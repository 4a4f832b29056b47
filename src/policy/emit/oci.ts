// ResolvedPolicy → OCI runtime-spec `linux.seccomp` JSON (Docker, Podman, containerd, Kubernetes, runc).
// libseccomp ANDs the comparisons of one rule and allows one comparison per argument, so each OR branch
// becomes an entry of its own; comparisons that SCMP_CMP_* cannot state are dropped and reported.
// As runc (libcontainer/seccomp) and crun (src/libcrun/seccomp.c) read it: a name their libseccomp does not
// know is skipped, not refused (runc logs it at debug level; crun warns, and refuses only under the annotation
// run.oci.seccomp_fail_unknown_syscall), so no field is needed for calls newer than the runtime. An errno
// goes in `defaultErrnoRet`/`errnoRet` only with SCMP_ACT_ERRNO (crun rejects it on other actions). KILL is
// written SCMP_ACT_KILL_PROCESS: runc maps SCMP_ACT_KILL to killing the thread only.
import type { Arch } from '../../abi/arch.js';
import { ARG_MASK_ALL, assertNever, sameAction, type Action, type Expr } from '../model.js';
import type { ResolvedPolicy, ResolvedSyscall } from '../resolved.js';
import { widthMask } from '../../syscalls/args.js';
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
  readonly flags?: string[];
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
  /** Other arches to list (ones the profile was seen making calls on); calls from unlisted ABIs are killed. */
  readonly extraArches?: readonly Arch[];
  /** The `flags` field (none by default: runc before 1.2 refuses any, "seccomp flags are not yet supported"). */
  readonly flags?: readonly FilterFlag[];
}

/** The flags runc (1.2+) and crun both accept. */
export const FILTER_FLAGS = {
  /** The kernel audits ERRNO and TRAP verdicts (and LOG) of this filter: denials reach `learn from-audit`. */
  log: 'SECCOMP_FILTER_FLAG_LOG',
  /** Turns off the Speculative Store Bypass mitigation for the container (faster, less safe). crun sets it
   * itself when `flags` is absent; runc never does. */
  'spec-allow': 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
} as const;
export type FilterFlag = keyof typeof FILTER_FLAGS;

export function emitOci(policy: ResolvedPolicy, options: OciOptions = {}): Emitted {
  const { seccomp, losses } = ociSeccomp(policy, options);
  // Values go out as exact integer literals: the runtimes read them as uint64.
  return { text: jsonText(seccomp, 'number'), losses };
}

/** The `linux.seccomp` object (values as bigint) and what it could not say. */
export function ociSeccomp(policy: ResolvedPolicy, options: OciOptions = {}): { seccomp: OciSeccomp; losses: Diagnostic[] } {
  const losses: Diagnostic[] = [];
  const extra = (options.extraArches ?? []).filter((a) => a !== policy.arch).map((a) => NATIVE[a]);
  const sub = (options.subArchitectures ?? true) ? SUB_ARCHES[policy.arch].filter((a) => !extra.includes(a)) : [];
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
  const flags = (options.flags ?? []).map((f) => FILTER_FLAGS[f]);
  const seccomp: OciSeccomp = {
    ...defaultAction(policy.defaultAction, losses),
    architectures: [NATIVE[policy.arch], ...extra, ...sub],
    ...(flags.length > 0 ? { flags } : {}),
    syscalls: [
      ...[...unconditional.values()].map(({ action, names }) => ({ names: names.sort(), ...ociAction(action, losses) })),
      ...conditional,
    ],
  };
  return { seccomp, losses: dedupe(losses) };
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
    const arg = toOciArg(c, widthMask(s.widths[c.arg] ?? 64));
    if (arg === null) {
      losses.push(lost(s.name, `(arg${c.arg} & ${hex(c.mask)}) ${c.op} ${hex(c.value)} has no SCMP_CMP_* form and is dropped`));
    } else if (out.some((o) => o.index === arg.index)) {
      losses.push(lost(s.name, `libseccomp takes one comparison per argument; a second one on arg${c.arg} is dropped`));
    } else out.push(arg);
  }
  return out;
}

/** A 32- or 16-bit argument is compared on its low bits (the kernel ignores the rest), which MASKED_EQ can say. */
function toOciArg(c: Cmp, width: bigint): OciArg | null {
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
