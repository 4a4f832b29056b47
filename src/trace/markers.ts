// The non-call lines strace prints about a process: `--- SIG… ---`, `+++ … +++` and
// `[ Process PID=N runs in M mode. ]`. Each parser gets the line and where the body starts.
import { archFromAudit, type Arch } from '../abi/arch.js';
import { syscallNumber } from '../syscalls/table.js';

export type Mode = 'x86_64' | 'i386' | 'x32';

export type Marker =
  | { readonly kind: 'signal'; readonly signal: string; readonly syscall: number | null; readonly syscallArch: Arch | null }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: string | null; readonly coreDumped: boolean }
  | { readonly kind: 'superseded'; readonly by: number }
  | { readonly kind: 'personality'; readonly pid: number; readonly mode: Mode };

const AUDIT_ARCH_NAMES: Readonly<Record<string, Arch>> = {
  AUDIT_ARCH_X86_64: 'x86_64',
  AUDIT_ARCH_I386: 'i386',
  AUDIT_ARCH_AARCH64: 'aarch64',
};

/** The value of `key=` inside a siginfo struct: up to the next `,` or `}`. */
function field(s: string, key: string, from: number): string | null {
  const at = s.indexOf(key, from);
  if (at < 0) return null;
  let end = at + key.length;
  while (end < s.length && s[end] !== ',' && s[end] !== '}') end++;
  return s.slice(at + key.length, end);
}

function parseIntText(text: string): number | null {
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(text)) return null;
  return Number(text);
}

/** `si_syscall=__NR_getppid, si_arch=AUDIT_ARCH_X86_64` (seccomp SIGSYS): number and arch. */
function seccompSyscall(s: string, from: number): { syscall: number | null; syscallArch: Arch | null } {
  const archText = field(s, 'si_arch=', from);
  const sysText = field(s, 'si_syscall=', from);
  let arch: Arch | null = null;
  if (archText !== null) {
    const value = parseIntText(archText);
    arch = (Object.hasOwn(AUDIT_ARCH_NAMES, archText) ? AUDIT_ARCH_NAMES[archText] : undefined) ?? (value === null ? undefined : archFromAudit(value)) ?? null;
  }
  let syscall: number | null = null;
  if (sysText !== null) {
    if (sysText.startsWith('__NR_')) {
      const name = sysText.slice(5);
      syscall = syscallNumber(arch ?? 'x86_64', name) ?? (name.startsWith('syscall_0x') ? parseIntText(name.slice(8)) : null);
    } else {
      syscall = parseIntText(sysText);
    }
  }
  return { syscall, syscallArch: arch };
}

/** `--- SIGCHLD {…} ---`, `--- stopped by SIGSTOP ---`. */
export function parseSignal(s: string, body: number): Marker | null {
  if (!s.startsWith('--- ', body) || !s.endsWith(' ---')) return null;
  const start = body + 4;
  let end = start;
  while (end < s.length && s.charCodeAt(end) !== 0x20) end++;
  const signal = s.slice(start, end);
  if (signal === 'stopped') return { kind: 'stopped' };
  if (!signal.startsWith('SIG')) return null;
  if (signal === 'SIGSYS') return { kind: 'signal', signal, ...seccompSyscall(s, end) };
  return { kind: 'signal', signal, syscall: null, syscallArch: null };
}

const EXITED = '+++ exited with ';
const KILLED = '+++ killed by ';
const SUPERSEDED = '+++ superseded by execve in pid ';

/** `+++ exited with N +++`, `+++ killed by SIG (core dumped) +++`, `+++ superseded by execve in pid N +++`. */
export function parseExit(s: string, body: number): Marker | null {
  if (!s.endsWith(' +++')) return null;
  const inner = (prefix: string): string => s.slice(body + prefix.length, s.length - 4);
  if (s.startsWith(EXITED, body)) {
    const code = parseIntText(inner(EXITED));
    return code === null ? null : { kind: 'exit', code, signal: null, coreDumped: false };
  }
  if (s.startsWith(KILLED, body)) {
    const text = inner(KILLED);
    const coreDumped = text.endsWith(' (core dumped)');
    const signal = coreDumped ? text.slice(0, -' (core dumped)'.length) : text;
    return /^SIG[A-Z0-9_+]+$/.test(signal) ? { kind: 'exit', code: null, signal, coreDumped } : null;
  }
  if (s.startsWith(SUPERSEDED, body)) {
    const by = parseIntText(inner(SUPERSEDED));
    return by === null ? null : { kind: 'superseded', by };
  }
  return null;
}

const PERSONALITY = /^\[ Process PID=(\d+) runs in (32 bit|64 bit|x32) mode\. \]$/;

/** `[ Process PID=6569 runs in 32 bit mode. ]` (stderr only: `-o` suppresses it). */
export function parsePersonality(s: string, body: number): Marker | null {
  const m = PERSONALITY.exec(body === 0 ? s : s.slice(body));
  if (!m) return null;
  const mode: Mode = m[2] === '32 bit' ? 'i386' : m[2] === 'x32' ? 'x32' : 'x86_64';
  return { kind: 'personality', pid: Number(m[1]), mode };
}
