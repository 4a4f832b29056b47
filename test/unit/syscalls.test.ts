import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { archFromAudit, AUDIT_ARCH } from '../../src/abi/arch.js';
import { argWidth } from '../../src/syscalls/args.js';
import { displayName, maxSyscallNumber, syscallName, syscallNumber } from '../../src/syscalls/table.js';

const t = suite('syscalls/table');

const KNOWN: Array<[Parameters<typeof syscallName>[0], number, string]> = [
  ['x86_64', 0, 'read'],
  ['x86_64', 20, 'writev'],
  ['x86_64', 39, 'getpid'],
  ['x86_64', 64, 'semget'],
  ['x86_64', 257, 'openat'],
  ['x86_64', 262, 'newfstatat'],
  ['x86_64', 435, 'clone3'],
  ['x86_64', 467, 'open_tree_attr'],
  ['i386', 20, 'getpid'],
  ['i386', 64, 'getppid'],
  ['i386', 4, 'write'],
  ['i386', 140, '_llseek'],
  ['aarch64', 56, 'openat'],
  ['aarch64', 172, 'getpid'],
  ['aarch64', 435, 'clone3'],
];

for (const [arch, nr, name] of KNOWN) {
  t(`${arch} ${nr} is ${name}`, () => {
    assert.is(syscallName(arch, nr), name);
    assert.is(syscallNumber(arch, name), nr);
  });
}

t('gaps and unknown numbers have no name, and strace spelling for display', () => {
  assert.is(syscallName('x86_64', 400), undefined);
  assert.is(displayName('x86_64', 0x1234), 'syscall_0x1234');
  assert.is(syscallNumber('aarch64', 'open'), undefined);
  assert.is(maxSyscallNumber('x86_64'), 467);
});

t('AUDIT_ARCH values map back to arches', () => {
  assert.is(AUDIT_ARCH.x86_64, 0xc000003e);
  assert.is(archFromAudit(0x40000003), 'i386');
  assert.is(archFromAudit(0xc00000b7), 'aarch64');
  assert.is(archFromAudit(0x12345678), undefined);
});

t('argument widths: int parameters are 32-bit, i386 is all 32-bit', () => {
  assert.is(argWidth('x86_64', 'socket', 0), 32);
  assert.is(argWidth('x86_64', 'mmap', 2), 64);
  assert.is(argWidth('x86_64', 'ioctl', 1), 32);
  assert.is(argWidth('i386', 'mmap', 2), 32);
});

t.run();
