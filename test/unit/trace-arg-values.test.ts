// Decoding strace's symbolic argument text into the numbers a seccomp filter compares.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ARG_SENSITIVE, argValues, parseShapeKey, shapeKey } from '../../src/trace/arg-values.js';
import { parseFixture, straceFixtures, syscalls } from '../helpers/strace-fixture.js';

const t = suite('trace/arg-values');

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly want: (bigint | null)[] | null;
}

const ALL64 = (1n << 64n) - 1n;

const CASES: readonly Case[] = [
  { name: 'socket', args: ['AF_INET', 'SOCK_STREAM|SOCK_CLOEXEC', 'IPPROTO_IP'], want: [2n, 524289n, 0n] },
  { name: 'socket', args: ['AF_UNIX', 'SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK', '0'], want: [1n, 526337n, 0n] },
  { name: 'socket', args: ['AF_INET6', 'SOCK_DGRAM', 'IPPROTO_UDP'], want: [10n, 2n, 17n] },
  { name: 'socket', args: ['AF_NETLINK', 'SOCK_RAW|SOCK_CLOEXEC', 'NETLINK_ROUTE'], want: [16n, 524291n, 0n] },
  { name: 'socket', args: ['AF_PACKET', 'SOCK_RAW', 'htons(ETH_P_ALL)'], want: [17n, 3n, 0x300n] },
  { name: 'socket', args: ['PF_INET', 'SOCK_STREAM', 'IPPROTO_TCP'], want: [2n, 1n, 6n] },
  // -X verbose and -X raw
  { name: 'socket', args: ['0x1 /* AF_UNIX */', '0x1 /* SOCK_STREAM */|0x80800 /* SOCK_CLOEXEC|SOCK_NONBLOCK */', '0'], want: [1n, 0x80801n, 0n] },
  { name: 'socket', args: ['0x2', '0x1', '0x6'], want: [2n, 1n, 6n] },
  { name: 'socket', args: ['AF_INET', 'SOCK_STREAM|0x100000', 'IPPROTO_BOGUS'], want: [2n, 0x100001n, null] },
  { name: 'socketpair', args: ['AF_UNIX', 'SOCK_STREAM', '0', '[3, 4]'], want: [1n, 1n, 0n] },
  { name: 'personality', args: ['0xffffffff'], want: [0xffffffffn] },
  { name: 'personality', args: ['PER_LINUX'], want: [0n] },
  { name: 'personality', args: ['PER_LINUX32|ADDR_NO_RANDOMIZE'], want: [0x40008n] },
  { name: 'personality', args: ['UNAME26'], want: [0x20000n] },
  { name: 'clone', args: ['child_stack=NULL', 'flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD', 'child_tidptr=0x7f0f631e5a10'], want: [0x1200011n] },
  { name: 'clone', args: ['child_stack=NULL', 'flags=CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|SIGCHLD'], want: [0x30020011n] },
  { name: 'clone', args: ['child_stack=0x7f', 'flags=0x1200011 /* CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD */'], want: [0x1200011n] },
  { name: 'clone', args: ['0x1200011', '0', '0', '0x7f', '0'], want: [0x1200011n] }, // -e raw=clone: register order
  { name: 'prctl', args: ['PR_SET_NO_NEW_PRIVS', '1', '0', '0', '0'], want: [38n] },
  { name: 'prctl', args: ['PR_SET_SECCOMP', 'SECCOMP_MODE_FILTER', '0x7ffd'], want: [22n] },
  { name: 'prctl', args: ['PR_CAPBSET_READ', 'CAP_MAC_OVERRIDE'], want: [23n] },
  { name: 'ioctl', args: ['1', 'TCGETS', '0x7fff22818900'], want: [0x5401n] },
  { name: 'ioctl', args: ['0', 'TIOCGWINSZ', '{ws_row=24}'], want: [0x5413n] },
  { name: 'ioctl', args: ['3', 'FIOCLEX'], want: [0x5451n] },
  { name: 'ioctl', args: ['3', 'FIONBIO', '[1]'], want: [0x5421n] },
  { name: 'ioctl', args: ['3', 'SIOCGIFCONF', '{ifc_len=0}'], want: [0x8912n] },
  { name: 'ioctl', args: ['3', '_IOC(_IOC_READ|_IOC_WRITE, 0x94, 0x3, 0x80)', '0x7f'], want: [0xc0809403n] },
  { name: 'ioctl', args: ['3', "_IOR('T', 0x30, 0x4)", '0x7f'], want: [0x80045430n] }, // = TIOCGPTN
  { name: 'ioctl', args: ['1', 'SNDCTL_TMR_TIMEBASE or TCGETS', '0x7f'], want: [0x5401n] },
  { name: 'ioctl', args: ['1', '0x5401 /* TCGETS */', '0x7f'], want: [0x5401n] },
  { name: 'ioctl', args: ['1', 'SOME_DRIVER_IOCTL', '0x7f'], want: [null] },
  { name: 'mmap', args: ['NULL', '8192', 'PROT_READ|PROT_WRITE', 'MAP_PRIVATE|MAP_ANONYMOUS', '-1', '0'], want: [3n] },
  { name: 'mmap', args: ['NULL', '8192', 'PROT_READ|PROT_WRITE|PROT_EXEC', 'MAP_PRIVATE', '-1', '0'], want: [7n] },
  { name: 'mprotect', args: ['0x7f', '4096', 'PROT_NONE'], want: [0n] },
  { name: 'pkey_mprotect', args: ['0x7f', '4096', 'PROT_READ|PROT_EXEC', '1'], want: [5n] },
  { name: 'mprotect', args: ['0x7f', '4096'], want: [null] }, // an unfinished call's partial arguments
  { name: 'fcntl', args: ['3', 'F_GETFD'], want: [1n] },
  { name: 'fcntl', args: ['3', 'F_DUPFD_CLOEXEC', '0'], want: [1030n] },
  { name: 'fcntl', args: ['3', 'F_SETLK', '{l_type=F_WRLCK}'], want: [6n] },
  { name: 'socket', args: ['-1', '0', 'constructor'], want: [ALL64, 0n, null] },
  { name: 'read', args: ['3', '"x"', '1'], want: null },
  { name: 'constructor', args: [], want: null },
  // clone3: the flags field of the struct its first argument points to (as strace 6 prints pthread_create's,
  // fixtures/strace/python_threads_fork.f_o.txt), not the register
  {
    name: 'clone3',
    args: ['{flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7f800ed23990, parent_tid=0x7f800ed23990, exit_signal=0, stack=0x7f800e523000, stack_size=0x7fff80, tls=0x7f800ed236c0} => {parent_tid=[6382]}', '88'],
    want: [0x3d0f00n],
  },
  { name: 'clone3', args: ['{flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f2a1c000000, stack_size=0x9000}', '88'], want: [0x4100n] },
  { name: 'clone3', args: ['{flags=CLONE_PIDFD|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP, pidfd=0x7ffc, exit_signal=SIGCHLD, cgroup=5}', '88'], want: [0x300001000n] },
  { name: 'clone3', args: ['{flags=0x3d0f00 /* CLONE_VM|CLONE_FS|CLONE_FILES */, exit_signal=0}', '88'], want: [0x3d0f00n] },
  { name: 'clone3', args: ['{flags=0, exit_signal=SIGCHLD}', '88'], want: [0n] },
  // strace could not read the struct: an address, unknown (never the pointer itself)
  { name: 'clone3', args: ['0x7ffd5c3a1e20', '88'], want: [null] },
  { name: 'clone3', args: ['{exit_signal=SIGCHLD}', '88'], want: [null] },
];

for (const c of CASES) {
  t(`${c.name}(${c.args.join(', ')})`, () => {
    assert.equal(argValues(c.name, c.args), c.want);
  });
}

t('ARG_SENSITIVE names the kernel argument positions', () => {
  assert.equal(ARG_SENSITIVE.socket, [0, 1, 2]);
  assert.equal(ARG_SENSITIVE.clone, [0]);
  assert.equal(ARG_SENSITIVE.clone3, [0], 'clone3\'s flags, read from its struct');
  assert.equal(ARG_SENSITIVE.ioctl, [1]);
  assert.equal(ARG_SENSITIVE.mprotect, [2]);
  assert.is(ARG_SENSITIVE.read, undefined);
});

t('shapeKey and parseShapeKey round-trip', () => {
  for (const values of [[2n, 524289n, 0n], [null], [ALL64, null, 0n]]) {
    assert.equal(parseShapeKey(shapeKey(values)), values);
  }
  assert.is(shapeKey([2n, 524289n, 0n]), '2,524289,0');
  assert.is(shapeKey([null, 1n]), '?,1');
  assert.is(shapeKey(null), '');
  assert.is(parseShapeKey(''), null);
  assert.is(parseShapeKey('1,x'), null);
});

t('every sensitive call in the real captures decodes', () => {
  let checked = 0;
  const clone3: bigint[] = [];
  for (const file of straceFixtures()) {
    for (const e of syscalls(parseFixture(file).events)) {
      const values = argValues(e.name, e.args);
      if (values === null || e.ret === null) continue; // a call that never returned may lack arguments
      if (e.name === 'prlimit64' && e.args[2]?.startsWith('{')) { // a new limit's pointer: unknown by design
        assert.equal(values, [null], `${file}:${e.line}`);
        continue;
      }
      checked++;
      assert.ok(values.every((v) => v !== null), `${file}:${e.line}: ${e.raw}`);
      if (e.name === 'clone3') clone3.push(values[0]!);
    }
  }
  assert.ok(checked > 500, String(checked));
  // pthread_create's flags (python's threads), never a pointer
  assert.ok(clone3.includes(0x3d0f00n) && clone3.every((v) => v < 0x1_0000_0000n), clone3.join(' '));
});

t.run();
