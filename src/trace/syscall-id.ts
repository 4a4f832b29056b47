// Which call a trace line really is: arch and number. With `-o`, strace prints an i386 call made by a
// 64-bit process (`int $0x80`) under the same name as the 64-bit call; only `-n` (the number) or a
// personality line on stderr tells them apart. Getting this wrong would let a policy confuse the two.
import { X32_SYSCALL_BIT, type Arch } from '../abi/arch.js';
import { syscallName, syscallNumber } from '../syscalls/table.js';
import type { Mode } from './markers.js';

export interface SyscallId {
  readonly arch: Arch;
  /** -1 when neither `-n` nor the name tells. x32 calls keep X32_SYSCALL_BIT. */
  readonly nr: number;
}

/** `syscall_0x1234` → 0x1234, else -1. */
function unknownNumber(name: string): number {
  if (!name.startsWith('syscall_0x')) return -1;
  const nr = Number.parseInt(name.slice(10), 16);
  return Number.isNaN(nr) ? -1 : nr;
}

function isX32(nr: number): boolean {
  return nr >= X32_SYSCALL_BIT && nr < 2 * X32_SYSCALL_BIT;
}

/**
 * `scno` is the `-n` number (-1 without it); `mode` is the pid's personality from stderr captures.
 * With a number, the name decides the table: the one where that number has that name (the pid's own
 * personality first), i386 when only the i386 table matches.
 */
export function identifySyscall(name: string, scno: number, mode: Mode): SyscallId {
  if (scno < 0 && mode === 'x86_64') return nativeByName(name);
  if (scno >= 0) {
    if (isX32(scno)) return { arch: 'x86_64', nr: scno };
    const first: Arch = mode === 'i386' ? 'i386' : 'x86_64';
    const second: Arch = mode === 'i386' ? 'x86_64' : 'i386';
    if (syscallName(first, scno) === name) return { arch: first, nr: scno };
    if (syscallName(second, scno) === name) return { arch: second, nr: scno };
    return { arch: first, nr: scno }; // syscall_0x… or a name our tables spell differently: trust the number
  }
  const unknown = unknownNumber(name);
  switch (mode) {
    case 'i386':
      return { arch: 'i386', nr: unknown >= 0 ? unknown : (syscallNumber('i386', name) ?? -1) };
    case 'x32': {
      if (unknown >= 0) return { arch: 'x86_64', nr: unknown };
      const nr = syscallNumber('x86_64', name);
      return { arch: 'x86_64', nr: nr === undefined ? -1 : nr | X32_SYSCALL_BIT };
    }
    case 'x86_64':
      return { arch: 'x86_64', nr: unknown >= 0 ? unknown : (syscallNumber('x86_64', name) ?? -1) };
  }
}

// The common case (x86_64, no -n) by name, memoised: one shared object per name instead of one per call.
const MAX_NATIVE = 4096;
const native = new Map<string, SyscallId>();

function nativeByName(name: string): SyscallId {
  let id = native.get(name);
  if (id === undefined) {
    const unknown = unknownNumber(name);
    id = { arch: 'x86_64', nr: unknown >= 0 ? unknown : (syscallNumber('x86_64', name) ?? -1) };
    if (native.size < MAX_NATIVE) native.set(name, id);
  }
  return id;
}

// Call names as shared strings, found from the line's characters: a trace names a few dozen syscalls over
// and over, and one string per name spares a slice per line and lets every later lookup by name (number,
// argument sensitivity) use a string whose hash is already known.
const NAME_SLOTS = 512;
const names: (string | undefined)[] = new Array<string | undefined>(NAME_SLOTS).fill(undefined);

/** The next step of the hash internName expects, over the name's character codes from the first. */
export function nameHash(hash: number, c: number): number {
  return (Math.imul(hash, 31) + c) | 0;
}

/** `s.slice(from, to)` as a shared string. */
export function internText(s: string, from: number, to: number): string {
  let hash = 0;
  for (let i = from; i < to; i++) hash = nameHash(hash, s.charCodeAt(i));
  return internName(s, from, to, hash);
}

/** `s.slice(from, to)` (whose characters hash to `hash`) as a shared string. */
export function internName(s: string, from: number, to: number, hash: number): string {
  const slot = hash & (NAME_SLOTS - 1);
  const known = names[slot];
  if (known !== undefined && known.length === to - from && s.startsWith(known, from)) return known;
  const name = Buffer.from(s.slice(from, to)).toString(); // a copy: a slice would keep the whole read chunk alive
  names[slot] = name;
  return name;
}
