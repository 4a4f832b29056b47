import type { Arch } from '../abi/arch.js';
import { AARCH64_ARGS, I386_ARGS, X86_64_ARGS } from './data/args.js';

/** How many bits of an argument the kernel reads. The syscall wrappers cast each register to its declared C
 * type, so an `int` sees the low 32 bits and a `umode_t` or i386 `old_uid_t` the low 16: the high bits in
 * seccomp_data may hold garbage (musl's ioctl) or an attacker's choice, and filters must ignore them. */
export type ArgWidth = 16 | 32 | 64;

/** The values an argument of `width` bits can take, as a mask. */
export function widthMask(width: ArgWidth): bigint {
  return (1n << BigInt(width)) - 1n;
}

interface ArgType {
  readonly width: ArgWidth;
  readonly signed: boolean;
}

const TYPES: Readonly<Record<string, ArgType>> = {
  i16: { width: 16, signed: true }, u16: { width: 16, signed: false },
  i32: { width: 32, signed: true }, u32: { width: 32, signed: false },
  i64: { width: 64, signed: true }, u64: { width: 64, signed: false },
};

function decodeTable(table: Readonly<Record<string, string>>): ReadonlyMap<string, readonly ArgType[]> {
  return new Map(Object.entries(table).map(([name, codes]) => [name, codes === '' ? [] : codes.split(' ').map((c) => TYPES[c]!)]));
}

// Generated from the kernel's SYSCALL_DEFINE signatures (scripts/gen-syscalls.js, src/syscalls/data/signatures.txt).
const TABLES: Readonly<Record<Arch, Readonly<Record<string, string>>>> = { x86_64: X86_64_ARGS, i386: I386_ARGS, aarch64: AARCH64_ARGS };
/** Decoded on first use: most runs look at one arch. */
const decoded: Partial<Record<Arch, ReadonlyMap<string, readonly ArgType[]>>> = {};

function params(arch: Arch, syscall: string): readonly ArgType[] | undefined {
  return (decoded[arch] ??= decodeTable(TABLES[arch])).get(syscall);
}

function argType(arch: Arch, syscall: string, index: number): ArgType | undefined {
  return params(arch, syscall)?.[index];
}

/**
 * Bits of argument `index` the kernel reads. An unknown syscall or a parameter it does not have is compared
 * on the whole register (more than the kernel reads, never less); an i386 register has 32 bits.
 */
export function argWidth(arch: Arch, syscall: string, index: number): ArgWidth {
  return argType(arch, syscall, index)?.width ?? (arch === 'i386' ? 32 : 64);
}

/** Whether the kernel reads argument `index` as a signed number (`int fd`: -100 is AT_FDCWD); false when unknown. */
export function argSigned(arch: Arch, syscall: string, index: number): boolean {
  return argType(arch, syscall, index)?.signed ?? false;
}

/** How many parameters the kernel's definition has, or undefined for a syscall without one (ENOSYS). */
export function paramCount(arch: Arch, syscall: string): number | undefined {
  return params(arch, syscall)?.length;
}
