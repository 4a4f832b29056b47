// Kafel's documented semantics as cases of our own (written from its README and grammar, not copied): a
// policy text and calls with the action Kafel gives each. Shared by the interpreter test (unit) and the
// kernel test (e2e), which probes the same calls under the compiled filter with every action an ERRNO.
import type { Action } from '../../src/policy/model.js';

export interface KafelCall {
  readonly syscall: string;
  readonly args: readonly bigint[];
  readonly want: Action;
}

export interface KafelCase {
  readonly name: string;
  readonly text: string;
  readonly calls: readonly KafelCall[];
}

const ALLOW: Action = { kind: 'allow' };
const KILL: Action = { kind: 'kill-process' };
const errno = (n: number): Action => ({ kind: 'errno', errno: n });
const call = (syscall: string, args: readonly (number | bigint)[], want: Action): KafelCall => ({ syscall, args: args.map(BigInt), want });

export const KAFEL_CASES: readonly KafelCase[] = [
  {
    name: 'first match in text order: an earlier unconditional ALLOW hides a later ERRNO (issue example 1)',
    text: 'ALLOW { read } ERRNO(1) { read(fd, buf, count) { fd == 0 } }',
    calls: [call('read', [0, 0, 0], ALLOW), call('read', [5, 0, 0], ALLOW), call('write', [1, 0, 0], KILL)],
  },
  {
    name: 'USE is pasted where it stands: a condition before it wins (issue example 2)',
    text: 'POLICY q { ALLOW { read } }\nPOLICY p { ERRNO(1) { read(fd, buf, count) { fd == 0 } }, USE q }\nUSE p DEFAULT KILL',
    calls: [call('read', [0, 0, 0], errno(1)), call('read', [3, 0, 0], ALLOW)],
  },
  {
    name: 'USE before the condition: the used POLICY decides first',
    text: 'POLICY q { ALLOW { read } }\nPOLICY p { USE q, ERRNO(1) { read(fd, buf, count) { fd == 0 } } }\nUSE p DEFAULT KILL',
    calls: [call('read', [0, 0, 0], ALLOW)],
  },
  {
    name: 'a POLICY used twice counts at its first USE only',
    text: 'POLICY q { ERRNO(2) { write } }\nPOLICY r { ALLOW { write(fd) { fd == 1 } } }\nUSE q, USE r, USE q DEFAULT ERRNO(9)',
    calls: [call('write', [1, 0, 0], errno(2)), call('write', [2, 0, 0], errno(2))],
  },
  {
    name: 'overlapping conditions: the first that holds decides',
    text: 'ERRNO(3) { fcntl(fd, cmd) { cmd == 1 } }\nALLOW { fcntl(fd, cmd) { fd < 10 } }\nERRNO(4) { fcntl(fd, cmd) { fd < 100 } }\nDEFAULT ERRNO(5)',
    calls: [call('fcntl', [3, 1, 0], errno(3)), call('fcntl', [3, 2, 0], ALLOW), call('fcntl', [50, 2, 0], errno(4)), call('fcntl', [500, 2, 0], errno(5))],
  },
  {
    name: 'a comma in a condition is `||` with the lowest precedence',
    text: 'ALLOW { write(fd, buf, count) { fd == 1 && count < 4, fd == 2 } }\nDEFAULT ERRNO(9)',
    calls: [call('write', [1, 0, 3], ALLOW), call('write', [1, 0, 5], errno(9)), call('write', [2, 0, 100], ALLOW), call('write', [3, 0, 0], errno(9))],
  },
  {
    name: 'implicit argument names arg0..arg5',
    text: 'ALLOW { read { arg0 == 0 && arg2 <= 4096 } }\nDEFAULT ERRNO(6)',
    calls: [call('read', [0, 0, 4096], ALLOW), call('read', [0, 0, 4097], errno(6)), call('read', [1, 0, 1], errno(6))],
  },
  {
    name: 'SYSCALL[n] and a #define\'d number name syscalls by number (39 and 110 are getpid and getppid on x86_64)',
    text: '#define my_call 110\nALLOW { SYSCALL[39], my_call }\nDEFAULT ERRNO(7)',
    calls: [call('getpid', [], ALLOW), call('getppid', [], ALLOW), call('gettid', [], errno(7))],
  },
  {
    name: 'octal and binary numbers; | and & between constants',
    text: '#define O_FLAGS 0100 | 02\nERRNO(11) { read(fd) { fd == 010 }, write(fd) { fd == 0b11 }, openat(d, p, flags) { flags == O_FLAGS } }\nDEFAULT ALLOW',
    calls: [call('read', [8, 0, 0], errno(11)), call('read', [10, 0, 0], ALLOW), call('write', [3, 0, 0], errno(11)), call('openat', [0, 0, 0o102, 0], errno(11))],
  },
  {
    name: 'masks: (arg & mask) compared; a bare masked value means "not zero"',
    text: 'ALLOW { mmap(addr, len, prot) { (prot & 0x4) == 0 }, mprotect(addr, len, prot) { !(prot & 0x4) } }\nDEFAULT ERRNO(12)',
    calls: [call('mmap', [0, 4096, 3], ALLOW), call('mmap', [0, 4096, 7], errno(12)), call('mprotect', [0, 4096, 1], ALLOW), call('mprotect', [0, 4096, 5], errno(12))],
  },
  {
    name: 'two constants compared are decided at compile time (Kafel: 0x100001234 == 0x1234 is false)',
    text: 'ALLOW { read(fd) { 0x100001234 == 0x1234 }, write(fd) { 1 < 2 } }\nDEFAULT ERRNO(13)',
    calls: [call('read', [0, 0, 0], errno(13)), call('write', [0, 0, 0], ALLOW)],
  },
  {
    name: '64-bit arguments are compared whole: high words matter',
    text: 'ALLOW { mmap(addr) { addr == 0x100001234 } }\nDEFAULT ERRNO(14)',
    calls: [call('mmap', [0x100001234n, 0, 0], ALLOW), call('mmap', [0x1234, 0, 0], errno(14)), call('mmap', [0x200001234n, 0, 0], errno(14))],
  },
  {
    name: 'a negative constant against a 32-bit argument means the int',
    text: 'ERRNO(15) { fcntl(fd) { fd == -1 } }\nDEFAULT ALLOW',
    calls: [call('fcntl', [0xffffffffn, 0, 0], errno(15)), call('fcntl', [0xffffffffffffffffn, 0, 0], errno(15)), call('fcntl', [1, 0, 0], ALLOW)],
  },
  {
    name: 'DEFAULT may come first; top-level blocks and USE mix in order',
    text: 'DEFAULT ERRNO(16)\nPOLICY io { ALLOW { read, write } }\nERRNO(17) { write(fd) { fd == 2 } }\nUSE io',
    calls: [call('write', [2, 0, 0], errno(17)), call('write', [1, 0, 0], ALLOW), call('read', [2, 0, 0], ALLOW), call('close', [0], errno(16))],
  },
  {
    name: 'no DEFAULT: KILL',
    text: 'ALLOW { read }',
    calls: [call('read', [0, 0, 0], ALLOW), call('write', [0, 0, 0], KILL)],
  },
  {
    name: 'DENY is KILL_THREAD; TRAP(n) carries its number',
    text: 'DENY { ptrace }\nTRAP(5) { kill }\nLOG { getpid }\nDEFAULT ERRNO(1)',
    calls: [call('ptrace', [0, 0, 0, 0], { kind: 'kill-thread' }), call('kill', [0, 0], { kind: 'trap', data: 5 }), call('getpid', [], { kind: 'log' })],
  },
  {
    name: 'ON guards: a rule exists only on the named arches',
    text: 'ALLOW { read ON x86_64, write ON { aarch64, arm }, close ON { amd64, i386 } }\nDEFAULT ERRNO(18)',
    calls: [call('read', [0, 0, 0], ALLOW), call('write', [1, 0, 0], errno(18)), call('close', [3], ALLOW)],
  },
  {
    name: 'a later rule with another action for an always-decided syscall never matches',
    text: 'ERRNO(19) { getppid }\nALLOW { getppid, gettid }\nDEFAULT KILL',
    calls: [call('getppid', [], errno(19)), call('gettid', [], ALLOW)],
  },
  {
    name: 'two arguments compared, word by word (64-bit) or low words (32-bit)',
    text: 'ALLOW { write(fd, buf, count) { fd != count && buf == count }, mmap(a, len) { (a & 0xffff) < len }, kill(pid, sig) { pid >= sig } }\nDEFAULT ERRNO(21)',
    calls: [
      call('write', [1, 9, 9], ALLOW), call('write', [9, 9, 9], errno(21)), call('write', [1, 0x100000009n, 9], errno(21)),
      call('mmap', [0x50000, 1], ALLOW), call('mmap', [0x1ffff, 0xffff], errno(21)), call('mmap', [2, 0x100000000n], ALLOW),
      call('kill', [9, 9], ALLOW), call('kill', [8, 9], errno(21)), call('kill', [0x100000008n, 9], errno(21)),
    ],
  },
  {
    name: 'nested parentheses and negation at depth',
    text: `ALLOW { read(fd) { ${'('.repeat(150)}!!(fd == 1)${')'.repeat(150)} } }\nDEFAULT ERRNO(20)`,
    calls: [call('read', [1, 0, 0], ALLOW), call('read', [2, 0, 0], errno(20))],
  },
];
