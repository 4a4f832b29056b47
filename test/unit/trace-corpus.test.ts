// Every real capture in fixtures/strace (see its README) through the streaming parser, plus what specific
// captures must yield: pairing across pids, exits, seccomp SIGSYS, i386/x32 calls, tricky strings.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ExitEvent, SignalEvent, SyscallEvent, TraceEvent } from '../../src/trace/events.js';
import { parseFixture, straceFixtures, syscalls } from '../helpers/strace-fixture.js';

const t = suite('trace/corpus');

/** Captures with lines that are not strace output at all. */
const EXPECTED_BAD: Readonly<Record<string, number>> = {
  // strace's --tips ASCII-art cow on stderr: 22 of its 36 lines are not trace syntax (the other 14 start
  // with `|` or `>`, which read as -e write= dump / -k frame lines and are skipped).
  'true.tips.txt.stderr': 22,
};

/** Captures without a single syscall line: summaries and strace's own messages. */
const NO_EVENTS = new Set(['true.c.txt', 'sh_pipe_bg.f_c.txt', 'nonexistent_prog.stderr.txt',
  'true.seccomp_nof.txt.stderr', 'true.tips.txt.stderr']);

for (const file of straceFixtures()) {
  t(`${file}: parses with no unexplained bad line`, () => {
    const { events, parser, lines } = parseFixture(file);
    assert.is(parser.stats.lines, lines.length);
    assert.is(parser.stats.badLines, EXPECTED_BAD[file] ?? 0, JSON.stringify(parser.problems.slice(0, 3)));
    assert.is(parser.stats.orphans, 0, JSON.stringify(parser.problems.slice(0, 3)));
    assert.is(parser.stats.events, events.length);
    const calls = syscalls(events);
    if (NO_EVENTS.has(file)) assert.is(calls.length, 0);
    else assert.ok(calls.length > 0);
    for (const e of calls) {
      assert.ok(e.nr >= 0, `${file}:${e.line}: ${e.name} has no number`);
      assert.ok(e.pid >= 0);
    }
  });
}

function find<K extends TraceEvent['kind']>(events: readonly TraceEvent[], kind: K, pred: (e: Extract<TraceEvent, { kind: K }>) => boolean): Extract<TraceEvent, { kind: K }> {
  const found = events.find((e): e is Extract<TraceEvent, { kind: K }> => e.kind === kind && pred(e as Extract<TraceEvent, { kind: K }>));
  if (!found) throw new Error(`no ${kind} event matches`);
  return found;
}

function byLine(events: readonly TraceEvent[], line: number): SyscallEvent {
  return find(events, 'syscall', (e) => e.line === line);
}

t('-c/-C summary: the trace has exactly the calls the summary table counts', () => {
  const { events, lines } = parseFixture('true.C.txt');
  const summary = new Map<string, number>();
  for (const l of lines) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)$/.exec(l);
    if (m && m[2] !== 'total') summary.set(m[2] ?? '', Number(m[1]));
  }
  const seen = new Map<string, number>();
  for (const e of syscalls(events)) if (e.ret !== '?') seen.set(e.name, (seen.get(e.name) ?? 0) + 1);
  assert.equal([...seen].sort(), [...summary].sort());
});

t('int80 with -n: i386 calls by number, x32 keeps its bit', () => {
  for (const file of ['int80.n_X_raw.txt', 'int80.f_n.txt']) {
    const calls = syscalls(parseFixture(file).events);
    const pick = (name: string) => calls.filter((e) => e.name === name).map((e) => `${e.arch}:${e.nr}`);
    assert.equal(pick('getpid'), ['i386:20', 'x86_64:39', 'x86_64:1073741863'], file);
    assert.equal(pick('getppid'), ['i386:64'], file);
    assert.ok(pick('write').includes('i386:4'), file);
    assert.ok(pick('write').includes('x86_64:1'), file);
    assert.equal(pick('syscall_0x1f4'), ['x86_64:500'], file);
  }
});

t('int80 on stderr: personality lines switch the table', () => {
  const { events } = parseFixture('int80.stderr.txt');
  const modes = events.filter((e) => e.kind === 'personality').map((e) => `${e.arch}${e.x32 ? '/x32' : ''}`);
  assert.equal(modes, ['i386', 'x86_64', 'x86_64/x32', 'x86_64']);
  const getpid = syscalls(events).filter((e) => e.name === 'getpid').map((e) => `${e.arch}:${e.nr}`);
  assert.equal(getpid, ['i386:20', 'x86_64:39', 'x86_64:1073741863']);
  assert.is(find(events, 'syscall', (e) => e.name === 'getppid').nr, 64);
});

t('int80 with -o and no -n: the i386 call is indistinguishable (why learn uses -n)', () => {
  const getpid = syscalls(parseFixture('int80.default.txt').events).filter((e) => e.name === 'getpid');
  assert.equal(getpid.map((e) => e.nr), [39, 39, 39]);
});

t('unfinished/resumed joined across pids (sh_pipe_bg.f_o.txt)', () => {
  const { events } = parseFixture('sh_pipe_bg.f_o.txt');
  const clone = byLine(events, 90); // `clone(… <unfinished ...>` … line 92 `<... clone resumed>, child_tidptr=…) = 6083`
  assert.is(clone.pid, 6081);
  assert.equal(clone.args, ['child_stack=NULL', 'flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD', 'child_tidptr=0x7fa39686ca10']);
  assert.is(clone.ret, '6083');
  assert.ok(clone.raw.endsWith('child_tidptr=0x7fa39686ca10) = 6083'));
});

t('unfinished/resumed joined across threads (python_threads_fork.f_o.txt)', () => {
  const { events } = parseFixture('python_threads_fork.f_o.txt');
  const clone3 = byLine(events, 606);
  assert.is(clone3.ret, '6352');
  assert.is(clone3.args.length, 2);
  assert.ok(clone3.args[0]?.endsWith('} => {parent_tid=[6352]}'));
  assert.is(clone3.args[1], '88');
  const threads = new Set(syscalls(events).map((e) => e.pid));
  assert.ok(threads.size >= 5);
});

t('stderr -f: splices repaired, prefix-less lines go to the only live tracee', () => {
  const { events } = parseFixture('sh_pipe_bg.f_stderr.txt');
  const wait = byLine(events, 84); // `[pid  6072] wait4(-1, strace: Process 6074 attached` + ` <unfinished ...>`
  assert.is(wait.pid, 6072);
  assert.is(wait.ret, '6073');
  const last = byLine(events, 575); // resumed on line 580 without a prefix: 6072 is the only one left
  assert.is(last.pid, 6072);
  assert.is(last.ret, '6074');
  const py = parseFixture('python_threads_fork.f_stderr.txt');
  const clone3 = byLine(py.events, 513); // started before the first fork (no pid yet), resumed as [pid 6360]
  assert.is(clone3.pid, 6360);
  assert.is(clone3.ret, '6361');
});

t('program output glued into a stderr trace line: the call is kept', () => {
  const { events } = parseFixture('seccomp_demo.trap_log.stderr.txt');
  const write = byLine(events, 35); // `write(2, "caught SIGSYS\n", 14caught SIGSYS` + `)         = 14`
  assert.is(write.ret, '14');
  assert.is(write.args[1], '"caught SIGSYS\\n"');
});

t('exits: code, signal, core dump, killed mid-call, superseded by execve', () => {
  const exit = (file: string) => parseFixture(file).events.filter((e): e is ExitEvent => e.kind === 'exit');
  assert.equal(exit('killsig.exit3.f_o.txt').map((e) => e.code), [3]);
  assert.equal(exit('killsig.kill.f_o.txt').map((e) => e.signal), ['SIGKILL']);
  const core = exit('killsig.segv_core.f_o.txt')[0];
  assert.equal([core?.signal, core?.coreDumped], ['SIGSEGV', true]);
  assert.equal(exit('seccomp_demo.kill_process.f_o.txt').map((e) => e.signal), ['SIGSYS']);

  const child = parseFixture('killsig.childkill.f_o.txt').events;
  const read = byLine(child, 34); // `read(3,  <unfinished ...>` … `<... read resumed> <unfinished ...>) = ?`
  assert.equal([read.args, read.ret], [['3'], '?']);

  const threxec = parseFixture('threxec.f_o.txt').events;
  const superseded = find(threxec, 'exit', (e) => e.superseded !== null);
  assert.equal([superseded.pid, superseded.superseded, superseded.code, superseded.signal], [10417, 10419, null, null]);
  const execve = byLine(threxec, 63); // started by thread 10419, resumed under the leader 10417
  assert.equal([execve.pid, execve.name, execve.ret], [10417, 'execve', '0']);
  const pause = threxec.filter((e) => e.kind === 'syscall' && e.name === 'pause');
  assert.equal(pause.map((e) => (e as SyscallEvent).ret), ['?', '?']);
});

t('calls that never return: -b execve, detach, end of input', () => {
  const bExecve = parseFixture('b_execve.f_o.txt');
  const execve = byLine(bExecve.events, 52);
  assert.equal([execve.pid, execve.ret, execve.args[0]], [13918, null, '"/bin/true"']);
  assert.is(bExecve.events.at(-1), execve); // flushed by finish()
  const detached = syscalls(parseFixture('attach_p_detach.o.txt').events);
  assert.equal(detached.map((e) => [e.name, e.ret, e.args]), [['restart_syscall', null, ['<... resuming interrupted read ...>']]]);
});

t('seccomp: SIGSYS with si_syscall/si_arch, and the bogus return value of a trapped call', () => {
  const { events } = parseFixture('seccomp_demo.trap_log.f_o.txt');
  const sig = find(events, 'signal', (e) => e.signal === 'SIGSYS') as SignalEvent;
  assert.equal([sig.pid, sig.syscall, sig.syscallArch], [14365, 110, 'x86_64']);
  const chld = find(parseFixture('sh_pipe_bg.f_o.txt').events, 'signal', () => true);
  assert.equal([chld.signal, chld.syscall], ['SIGCHLD', null]);
});

t('restarts: ERESTART* errors, restart_syscall, group stop skipped', () => {
  const { events, parser } = parseFixture('restart.f_o.txt');
  const errnos = syscalls(events).filter((e) => e.errno?.startsWith('ERESTART')).map((e) => `${e.name}:${e.ret}:${e.errno}`);
  assert.equal(errnos, ['read:?:ERESTARTSYS', 'read:?:ERESTARTSYS', 'pause:?:ERESTARTNOHAND',
    'clock_nanosleep:?:ERESTART_RESTARTBLOCK', 'clock_nanosleep:?:ERESTART_RESTARTBLOCK']);
  const restart = byLine(events, 77);
  assert.equal([restart.name, restart.nr, restart.ret], ['restart_syscall', 219, '0']);
  assert.is(parser.stats.skipped, 1); // `--- stopped by SIGSTOP ---`
});

t('strings that look like syntax stay inside their argument', () => {
  const calls = syscalls(parseFixture('tricky_strings.f_o.txt').events);
  const writes = calls.filter((e) => e.name === 'write').map((e) => [e.args[1], e.ret]);
  assert.equal(writes.slice(0, 6), [['"x) = 5"', '6'], ['" <unfinished ...>"', '17'], ['"+++ exited with 0 +++"', '21'],
    ['"--- SIGCHLD {si_signo=SIGCHLD} -"...', '34'], ['"<... write resumed>"', '19'], ['"[pid 1] read(3, "', '16']]);
  assert.equal(writes[8], ['"paren ( and ) brace } ] \\"quote"', '30']);
  const open = calls.at(-1);
  assert.equal([open?.args[1], open?.errno], ['"/nonexistent) = 0 <x>"', 'ENOENT']);
  const octal = syscalls(parseFixture('octal_escape_edge.txt').events).find((e) => e.args[1]?.startsWith('"\\00012'));
  assert.equal(octal?.args, ['1', '"\\00012\\001789\\1770\\n\\v\\f\\r\\t\\10\\7\\33\\\\\\"\'?\\303\\251"', '23']);
});

t('-yy decorations and -Y comms do not split arguments or leak into the return value', () => {
  const pair = syscalls(parseFixture('curl_refused.f_yy.txt').events).find((e) => e.name === 'socketpair');
  assert.equal(pair?.args, ['AF_UNIX', 'SOCK_STREAM', '0', '[3<UNIX-STREAM:[11999->12000]>, 4<UNIX-STREAM:[12000->11999]>]']);
  assert.is(pair?.ret, '0');
  const clone = syscalls(parseFixture('sh_pipe_bg.f_Y.txt').events).find((e) => e.name === 'clone');
  assert.match(clone?.ret ?? '', /^\d+$/);
});

t('-ff files: the pid comes from the file name', () => {
  for (const file of ['sh_pipe_bg.ff/trace.6092', 'python_threads_fork.ff/trace.6373']) {
    const pid = Number(file.split('.').at(-1));
    const { events } = parseFixture(file);
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.pid === pid), file);
  }
});

t('-k frames and -e write= dumps are skipped, not bad', () => {
  const k = parseFixture('true.k.txt');
  assert.is(k.parser.stats.skipped, k.lines.filter((l) => l.startsWith(' > ')).length);
  const dump = parseFixture('ls_la_usr.write_dump.txt');
  assert.is(dump.parser.stats.skipped, dump.lines.filter((l) => l.startsWith(' | ')).length);
});

t.run();
