// Architectures we have syscall tables for, and their AUDIT_ARCH_* values (linux/audit.h).
export const ARCHES = ['x86_64', 'i386', 'aarch64'] as const;
export type Arch = (typeof ARCHES)[number];

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const AUDIT_ARCH_AARCH64 = 0xc00000b7;

export const AUDIT_ARCH: Readonly<Record<Arch, number>> = {
  x86_64: AUDIT_ARCH_X86_64,
  i386: AUDIT_ARCH_I386,
  aarch64: AUDIT_ARCH_AARCH64,
};

/** x32 syscalls are x86_64 syscalls with this bit set in nr (same AUDIT_ARCH). */
export const X32_SYSCALL_BIT = 0x40000000;

export function isArch(name: string): name is Arch {
  return (ARCHES as readonly string[]).includes(name);
}

export function archFromAudit(value: number): Arch | undefined {
  for (const arch of ARCHES) if (AUDIT_ARCH[arch] === value >>> 0) return arch;
  return undefined;
}

/** The architecture this Node runs as, or undefined on one we have no tables for. */
export function runningArch(): Arch | undefined {
  switch (process.arch) {
    case 'x64': return 'x86_64';
    case 'ia32': return 'i386';
    case 'arm64': return 'aarch64';
    default: return undefined;
  }
}
