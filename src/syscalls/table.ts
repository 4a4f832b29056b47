import type { Arch } from '../abi/arch.js';
import { AARCH64_SYSCALLS } from './data/aarch64.js';
import { I386_SYSCALLS } from './data/i386.js';
import { X86_64_SYSCALLS } from './data/x86_64.js';

interface Table {
  readonly byName: ReadonlyMap<string, number>;
  readonly byNr: ReadonlyMap<number, string>;
  readonly names: readonly string[];
}

function makeTable(rows: ReadonlyArray<readonly [number, string]>): Table {
  const byName = new Map<string, number>();
  const byNr = new Map<number, string>();
  for (const [nr, name] of rows) {
    byName.set(name, nr);
    byNr.set(nr, name);
  }
  return { byName, byNr, names: [...byName.keys()].sort() };
}

const TABLES: Readonly<Record<Arch, Table>> = {
  x86_64: makeTable(X86_64_SYSCALLS),
  i386: makeTable(I386_SYSCALLS),
  aarch64: makeTable(AARCH64_SYSCALLS),
};

export function syscallNumber(arch: Arch, name: string): number | undefined {
  return TABLES[arch].byName.get(name);
}

export function syscallName(arch: Arch, nr: number): string | undefined {
  return TABLES[arch].byNr.get(nr);
}

/** Every syscall name of an arch, sorted. */
export function syscallNames(arch: Arch): readonly string[] {
  return TABLES[arch].names;
}

/** Highest allocated number on an arch (the end of the table). */
export function maxSyscallNumber(arch: Arch): number {
  return Math.max(...TABLES[arch].byNr.keys());
}

/** strace's spelling of a number it has no name for: `syscall_0x1234`. */
export function unknownSyscallName(nr: number): string {
  return `syscall_0x${nr.toString(16)}`;
}

/** The name strace would print for `nr`, or its `syscall_0x…` form. */
export function displayName(arch: Arch, nr: number): string {
  return syscallName(arch, nr) ?? unknownSyscallName(nr);
}
