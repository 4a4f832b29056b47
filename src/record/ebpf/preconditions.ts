// EDGE: can the eBPF recorder run here? Each check reads one fact of this machine and, when it fails,
// gives the one-line reason `--recorder auto` prints before it falls back to strace.
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { HELPER_PATH } from './helper-path.js';

/** Capability bits (linux/capability.h). */
const CAP_SYS_ADMIN = 21n;
const CAP_PERFMON = 38n;
const CAP_BPF = 39n;
/** The initial PID namespace's inode (PROC_PID_INIT_INO): anywhere else, the kernel's tids are not ours. */
const INIT_PID_NS_INO = 0xeffffffc;
/** Task storage in tracing programs and atomic fetch-and-add (BPF ISA v3) with a result: Linux 5.12. */
const MIN_KERNEL: readonly [number, number] = [5, 12];

export interface Facts {
  readonly arch: string;
  readonly helperBuilt: boolean;
  /** CapEff from /proc/self/status, null when unreadable. */
  readonly capEff: bigint | null;
  readonly btf: boolean;
  readonly kernel: string;
  /** The selected mode of /sys/kernel/security/lockdown, null without lockdown support. */
  readonly lockdown: string | null;
  /** Inode of /proc/self/ns/pid, null when unreadable. */
  readonly pidNs: number | null;
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export function machineFacts(): Facts {
  let helperBuilt = true;
  try {
    accessSync(HELPER_PATH, fsConstants.X_OK);
  } catch {
    helperBuilt = false;
  }
  const cap = /^CapEff:\s*([0-9a-f]+)$/m.exec(readText('/proc/self/status') ?? '');
  let pidNs: number | null = null;
  try {
    pidNs = statSync('/proc/self/ns/pid').ino;
  } catch {
    // no /proc, or not allowed to look
  }
  const lockdown = /\[(\w+)\]/.exec(readText('/sys/kernel/security/lockdown') ?? '');
  let btf = true;
  try {
    accessSync('/sys/kernel/btf/vmlinux', fsConstants.R_OK);
  } catch {
    btf = false;
  }
  return {
    arch: process.arch, helperBuilt, capEff: cap === null ? null : BigInt(`0x${cap[1]}`), btf,
    kernel: release(), lockdown: lockdown === null ? null : (lockdown[1] ?? null), pidNs,
  };
}

const has = (caps: bigint, bit: bigint): boolean => ((caps >> bit) & 1n) === 1n;

/** Why the eBPF recorder cannot run on a machine with these facts, or null when it can. */
export function unmetPrecondition(f: Facts): string | null {
  if (f.arch !== 'x64') return `the eBPF recorder is built for x86_64 only (this is ${f.arch})`;
  if (!f.helperBuilt) return 'the eBPF helper is not built (install clang, llvm, bpftool and libbpf-dev, then `npm rebuild seccomp-learn` or `node scripts/build-ebpf.js`)';
  if (f.capEff === null) return 'cannot read this process\'s capabilities';
  if (!has(f.capEff, CAP_SYS_ADMIN) && !(has(f.capEff, CAP_BPF) && has(f.capEff, CAP_PERFMON))) return 'not root (eBPF needs CAP_BPF and CAP_PERFMON)';
  if (!f.btf) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux is missing)';
  const m = /^(\d+)\.(\d+)/.exec(f.kernel);
  const [major, minor] = m === null ? [0, 0] : [Number(m[1]), Number(m[2])];
  if (major < MIN_KERNEL[0] || (major === MIN_KERNEL[0] && minor < MIN_KERNEL[1])) return `kernel ${f.kernel} is older than ${MIN_KERNEL.join('.')}`;
  if (f.lockdown === 'confidentiality') return 'kernel lockdown (confidentiality) forbids reading kernel memory from BPF';
  if (f.pidNs === null) return 'cannot read /proc/self/ns/pid';
  if (f.pidNs !== INIT_PID_NS_INO) return 'learn runs inside a PID namespace (the kernel\'s process ids are not the ones learn sees)';
  return null;
}
