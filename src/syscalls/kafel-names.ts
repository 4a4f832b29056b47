// Names Kafel's syscall tables use (the kernel's sys_* spellings) where ours use the UAPI __NR_* names:
// a policy written for Kafel says `newfstat`, strace and our tables say `fstat`. Only names our table of
// that arch lacks are mapped, so no name changes meaning. (Kafel's i386 table also gives `chown`, `getuid`,
// … the numbers of chown32, getuid32, …; here those names keep the UAPI numbers — see README.)
import type { Arch } from '../abi/arch.js';

const COMMON: Readonly<Record<string, string>> = { newfstat: 'fstat', newstat: 'stat', newlstat: 'lstat', newuname: 'uname' };

const ALIASES: Readonly<Record<Arch, Readonly<Record<string, string>>>> = {
  x86_64: { ...COMMON, sendfile64: 'sendfile', sysctl: '_sysctl', umount: 'umount2' },
  aarch64: { ...COMMON, umount: 'umount2' },
  i386: {
    ...COMMON, llseek: '_llseek', mmap_pgoff: 'mmap2', old_mmap: 'mmap', old_readdir: 'readdir', old_select: 'select',
    oldumount: 'umount', old_getrlimit: 'getrlimit', sysctl: '_sysctl',
  },
};

/** Our name for a Kafel spelling on `arch`, or undefined when it is not one. */
export function kafelAlias(arch: Arch, name: string): string | undefined {
  return Object.hasOwn(ALIASES[arch], name) ? ALIASES[arch][name] : undefined;
}

/** Every Kafel spelling we map on some arch. */
export const KAFEL_ALIAS_NAMES: ReadonlySet<string> = new Set(Object.values(ALIASES).flatMap((m) => Object.keys(m)));
