// Single lines and short sequences through the streaming parser: every prefix and body form of
// GRAMMAR.md part A, and garbage (truncated, binary, huge, empty) that must be counted, never thrown.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createStraceParser, MAX_PROBLEMS } from '../../src/trace/assemble.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { parseLines } from '../helpers/strace-fixture.js';

const t = suite('trace/parse-line');

interface Case {
  readonly name: string;
  readonly line: string;
  /** Fields of the one event the line gives (compared through JSON, so `args` is included). */
  readonly want: Record<string, unknown>;
}

const CASES: readonly Case[] = [
  { name: 'plain', line: 'brk(NULL)                               = 0x55eb839ea000',
    want: { kind: 'syscall', pid: 0, arch: 'x86_64', nr: 12, name: 'brk', args: ['NULL'], ret: '0x55eb839ea000', errno: null } },
  { name: '-f -o pid column', line: '6081  close(3)                          = 0', want: { pid: 6081, name: 'close', nr: 3, args: ['3'], ret: '0' } },
  { name: '[pid N]', line: '[pid  6073] set_robust_list(0x7fcc840d5a20, 24) = 0', want: { pid: 6073, nr: 273, args: ['0x7fcc840d5a20', '24'] } },
  { name: '[pid N<comm>]', line: '[pid  6149<ls>] close(3) = 0', want: { pid: 6149, name: 'close' } },
  { name: 'pid<comm>', line: '6139<ls> close(3)          = 0', want: { pid: 6139, name: 'close' } },
  { name: '-t', line: '07:48:42 brk(NULL)                      = 0x557f477c8000', want: { pid: 0, name: 'brk' } },
  { name: '-tt', line: '07:48:42.339342 brk(NULL)               = 0x561b26115000', want: { pid: 0, name: 'brk' } },
  { name: '-ttt', line: '1795420122.353919 brk(NULL)             = 0x5626306a8000', want: { pid: 0, name: 'brk' } },
  { name: 'unix ns', line: '1795420122.378338827 brk(NULL)          = 0x561135bbb000', want: { pid: 0, name: 'brk' } },
  { name: '-r', line: '     0.000503 brk(NULL)                 = 0x564c338e0000', want: { pid: 0, name: 'brk' } },
  { name: '-f -o -ttt', line: '6081  1795420122.353919 brk(NULL) = 0x1', want: { pid: 6081, name: 'brk' } },
  { name: '-n', line: '[  59] execve("/bin/true", ["/bin/true"], 0x7fff398ed1e8 /* 40 vars */) = 0',
    want: { nr: 59, arch: 'x86_64', args: ['"/bin/true"', '["/bin/true"]', '0x7fff398ed1e8 /* 40 vars */'] } },
  { name: '-n i386', line: '[  20] getpid()                         = 6575', want: { arch: 'i386', nr: 20 } },
  { name: '-n x32', line: '[1073741863] getpid()                   = -1 ENOSYS (Function not implemented)',
    want: { arch: 'x86_64', nr: 0x40000027, errno: 'ENOSYS', ret: '-1' } },
  { name: '-n unknown', line: '[4660] syscall_0x1234(0x1, 0x2, 0x3, 0x1, 0x1234, 0x7fff187413c0) = -1 ENOSYS (Function not implemented)',
    want: { arch: 'x86_64', nr: 0x1234 } },
  { name: 'unknown without -n', line: 'syscall_0x1f4(0, 0, 0xffffffffffffff80, 0, 0, 0) = -1 ENOSYS (Function not implemented)', want: { nr: 500 } },
  { name: 'name not in any table', line: 'frobnicate(1) = 0', want: { nr: -1, name: 'frobnicate' } },
  { name: '-i', line: '[00007f7caa384c47] brk(NULL)            = 0x55feb5f68000', want: { name: 'brk', nr: 12 } },
  { name: 'every prefix', line: '5794<true> 1795420122.642346 [   9] [00007fcad7e12ca3] mmap(NULL, 8192, 0x3 /* PROT_READ|PROT_WRITE */, 0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0) = 0x7fcad7de8000 <0.000011>',
    want: { pid: 5794, nr: 9, args: ['NULL', '8192', '0x3 /* PROT_READ|PROT_WRITE */', '0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */', '-1', '0'], ret: '0x7fcad7de8000' } },
  { name: '-T', line: 'brk(NULL)                               = 0x557432c39000 <0.000009>', want: { ret: '0x557432c39000' } },
  { name: '-a 0', line: 'brk(NULL) = 0x55a8fc338000', want: { ret: '0x55a8fc338000' } },
  { name: '-y return value', line: 'openat(AT_FDCWD</srv/corpus/cwd>, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>',
    want: { args: ['AT_FDCWD</srv/corpus/cwd>', '"/etc/ld.so.cache"', 'O_RDONLY|O_CLOEXEC'], ret: '3' } },
  { name: '-yy nested device', line: 'dup2(3</dev/null<char 1:3>>, 1) = 1</dev/null<char 1:3>>', want: { args: ['3</dev/null<char 1:3>>', '1'], ret: '1' } },
  { name: '-yy socket with ->', line: 'accept4(8<TCP:[127.0.0.1:45833]>, {sa_family=AF_INET}, [16], SOCK_CLOEXEC) = 11<TCP:[127.0.0.1:45833->127.0.0.1:52832]>',
    want: { args: ['8<TCP:[127.0.0.1:45833]>', '{sa_family=AF_INET}', '[16]', 'SOCK_CLOEXEC'], ret: '11' } },
  { name: 'escaped path decoration', line: 'fstat(4</srv/a\\76b\\74c>, {st_mode=S_IFREG}) = 0', want: { args: ['4</srv/a\\76b\\74c>', '{st_mode=S_IFREG}'] } },
  { name: 'deleted', line: 'memfd_create("mymemfd", MFD_CLOEXEC) = 3</memfd:mymemfd>(deleted)', want: { ret: '3', errno: null } },
  { name: '-Y return', line: '6138  clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f) = 6139<sh>', want: { ret: '6139' } },
  { name: 'pid namespace', line: 'getpid()                          = 1 /* 13902 in strace\'s PID NS */', want: { ret: '1', errno: null } },
  { name: 'injected', line: 'openat(AT_FDCWD, "/lib/libc.so.6", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory) (INJECTED)', want: { ret: '-1', errno: 'ENOENT' } },
  { name: 'delayed', line: 'brk(NULL)                               = 0x555bcada2000 (DELAYED)', want: { ret: '0x555bcada2000' } },
  { name: 'no return', line: 'exit_group(0)                           = ?', want: { ret: '?', errno: null, nr: 231 } },
  { name: 'restart code', line: '6978  <... pause resumed>) = ? ERESTARTNOHAND (To be restarted if no handler)', want: {} },
  { name: 'poll result extra', line: 'poll([{fd=5, events=POLLIN}, {fd=4, events=POLLOUT}], 2, 0) = 1 ([{fd=4, revents=POLLOUT}])',
    want: { args: ['[{fd=5, events=POLLIN}, {fd=4, events=POLLOUT}]', '2', '0'], ret: '1' } },
  { name: 'nested structs', line: 'sendmsg(4, {msg_name=NULL, msg_iov=[{iov_base="head", iov_len=4}, {iov_base="tail\\n", iov_len=5}], msg_iovlen=2}, 0) = 9',
    want: { args: ['4', '{msg_name=NULL, msg_iov=[{iov_base="head", iov_len=4}, {iov_base="tail\\n", iov_len=5}], msg_iovlen=2}', '0'] } },
  { name: 'bit set without commas', line: 'rt_sigprocmask(SIG_BLOCK, ~[RTMIN RT_1], [], 8) = 0', want: { args: ['SIG_BLOCK', '~[RTMIN RT_1]', '[]', '8'] } },
  { name: 'in => out', line: 'getsockname(3, {sa_family=AF_INET}, [128 => 16]) = 0', want: { args: ['3', '{sa_family=AF_INET}', '[128 => 16]'] } },
  { name: 'wait status', line: 'wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6074', want: { args: ['-1', '[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]', '0', 'NULL'] } },
  { name: 'truncated string', line: 'write(3, "exactly-33-chars-long-string-xyz"..., 33) = 33', want: { args: ['3', '"exactly-33-chars-long-string-xyz"...', '33'] } },
  { name: 'string with ) = and <unfinished ...>', line: 'write(3, "x) = 5 <unfinished ...>", 6) = 6', want: { args: ['3', '"x) = 5 <unfinished ...>"', '6'], ret: '6' } },
  { name: 'escaped quote and backslash', line: 'write(1, "\\\\\\"", 2) = 2', want: { args: ['1', '"\\\\\\""', '2'], ret: '2' } },
  { name: 'shift operator', line: 'ioctl(3, _IOC(0, 0x1<<2, 0x3, 0), 0) = 0', want: { args: ['3', '_IOC(0, 0x1<<2, 0x3, 0)', '0'] } },
  { name: 'status=unfinished on one line', line: '13950 read(3,  <unfinished ...>) = ?', want: { pid: 13950, args: ['3'], ret: '?' } },
  { name: 'signal', line: '6081  --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6082, si_uid=0, si_status=0, si_utime=0, si_stime=1 /* 0.01 s */} ---',
    want: { kind: 'signal', pid: 6081, signal: 'SIGCHLD', syscall: null } },
  { name: 'SIGSYS i386', line: '--- SIGSYS {si_signo=SIGSYS, si_code=SYS_SECCOMP, si_errno=EPERM, si_call_addr=0x1, si_syscall=__NR_getppid, si_arch=AUDIT_ARCH_I386} ---',
    want: { kind: 'signal', signal: 'SIGSYS', syscall: 64, syscallArch: 'i386' } },
  { name: 'exit', line: '[????????????????] +++ exited with 0 +++', want: { kind: 'exit', code: 0, signal: null } },
  { name: 'exit with -n', line: '5794<true> 1795420122.643388 [ 231] [????????????????] +++ exited with 0 +++', want: { kind: 'exit', pid: 5794, code: 0 } },
  { name: 'killed, core', line: '6971  +++ killed by SIGSEGV (core dumped) +++', want: { kind: 'exit', pid: 6971, signal: 'SIGSEGV', coreDumped: true } },
  { name: 'personality', line: '[pid 13979] [ Process PID=13979 runs in 32 bit mode. ]', want: { kind: 'personality', pid: 13979, arch: 'i386', x32: false } },
];

function pick(event: TraceEvent | undefined, keys: readonly string[]): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(event ?? null)) as Record<string, unknown> | null;
  return Object.fromEntries(keys.map((k) => [k, json?.[k]]));
}

for (const c of CASES) {
  t(c.name, () => {
    const { events, parser } = parseLines([c.line]);
    assert.is(parser.stats.badLines, 0, JSON.stringify(parser.problems));
    assert.is(events.length, 1);
    assert.equal(pick(events[0], Object.keys(c.want)), c.want);
  });
}

t('not events: skipped, not bad', () => {
  const lines = [' > /usr/lib/x86_64-linux-gnu/libc.so.6(__libc_start_main+0x85) [0x271c5]',
    ' | 00000  74 6f 74 61 6c 20 38 38  0a 64 72 77 78 72 2d 78  total 88.drwxr-x |',
    'strace: Process 6073 attached', '6978  --- stopped by SIGSTOP ---', '',
    '% time     seconds  usecs/call     calls    errors syscall',
    '------ ----------- ----------- --------- --------- ----------------',
    ' 57.39    0.000066          66         1           arch_prctl',
    '100.00    0.000115           3        29         1 total'];
  const { events, parser } = parseLines(lines);
  assert.equal([events.length, parser.stats.badLines, parser.stats.skipped], [0, 0, lines.length]);
});

t('pid of prefix-less lines: defaultPid, else the only live pid, else the last one', () => {
  assert.equal(parseLines(['close(3) = 0'], { defaultPid: 42 }).events.map((e) => e.pid), [42]);
  const { events } = parseLines(['[pid 10] close(3) = 0', '[pid 11] close(4) = 0', '[pid 11] +++ exited with 0 +++',
    'close(5) = 0']);
  assert.equal(events.map((e) => e.pid), [10, 11, 11, 10]);
});

t('resumed without its start: kept when the name is a syscall, counted either way', () => {
  const { events, parser } = parseLines(['6978  <... read resumed>"x", 1) = 1', '6978  <... bogus resumed>) = 0']);
  assert.equal(events.map((e) => [e.kind, (e as { name?: string }).name]), [['syscall', 'read']]);
  assert.equal([parser.stats.orphans, parser.stats.badLines], [2, 1]);
  assert.equal(JSON.parse(JSON.stringify(events[0])).args, ['"x"', '1']);
});

t('pending calls end with their pid: exit flushes them with ret null', () => {
  const { events } = parseLines(['7  futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>', '8  exit_group(0) = ?',
    '7  +++ exited with 0 +++']);
  assert.equal(events.map((e) => [e.kind, e.pid, e.line, (e as { ret?: unknown }).ret]),
    [['syscall', 8, 2, '?'], ['syscall', 7, 1, null], ['exit', 7, 3, undefined]]);
  assert.equal(JSON.parse(JSON.stringify(events[1])).args, ['0x1', 'FUTEX_WAIT', '0', 'NULL']);
});

t('garbage: truncated, binary, unbalanced, huge, empty input: counted, never thrown', () => {
  const huge = `write(1, "${'a'.repeat(1 << 20)}`;
  const lines = ['openat(AT_FDCWD, "/etc/passwd", O_RDONLY', 'read(3, "abc) = 3', '\u0000\u0001\u00ff\u0007ELF\u0002',
    'close(3]) = 0', 'close(3) =', 'close(3) 0', 'close(3) = zz', '[pid 12', '[pid abc] close(3) = 0', '+++ exited with x +++',
    '--- nope ---', '<... nope', huge, 'close(3) = 0'];
  const { events, parser } = parseLines(lines);
  assert.is(events.length, 1);
  assert.is(parser.stats.badLines, lines.length - 1);
  assert.ok(parser.problems.every((p) => p.text.length <= 200));
  assert.match(parser.problems.find((p) => p.line === 3)?.reason ?? '', /binary/);
  const empty = createStraceParser();
  assert.equal([empty.finish(), empty.stats], [[], { lines: 0, events: 0, badLines: 0, skipped: 0, orphans: 0 }]);
});

t('problems: the first MAX_PROBLEMS kept, all counted', () => {
  const { parser } = parseLines(Array.from({ length: 50 }, (_, i) => `garbage ${i}`));
  assert.is(parser.stats.badLines, 50);
  assert.is(parser.problems.length, MAX_PROBLEMS);
  assert.is(parser.problems[0]?.line, 1);
});

t.run();
