// The eBPF recorder (`--recorder ebpf|auto`) against independent references: `strace -f -c` for names and
// counts, the strace recorder for argument shapes, and the kernel for process trees (fork storms, 200
// threads, exec from a non-leader thread), --attach, signals, --duration and kill -9 of learn.
// Skipped, with the reason printed, where the eBPF recorder cannot run.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { machineFacts, unmetPrecondition } from '../../src/record/ebpf/preconditions.js';
import { HELPER_PATH } from '../../src/record/ebpf/helper-path.js';
import { parseReport, runStatus } from '../../src/record/ebpf/report.js';
import { EbpfUnavailable, startEbpf } from '../../src/record/ebpf/session.js';
import {
  FIXTURES, comparableCounts, countDifferences, observationsOf, readStore, runLearn, runOf, scratch, spawnLearn,
  straceCounts, summaryJson, type StoredObservation,
} from '../helpers/learn-cli.js';
import { childrenOf } from '../helpers/processes.js';

const t = suite('e2e/record-ebpf');
const s = scratch();
t.after(() => s.cleanup());
const unmet = unmetPrecondition(machineFacts());
if (unmet !== null) console.log(`  e2e/record-ebpf skipped: ${unmet}`);
const live = unmet === null ? t : t.skip;

const PYTHON = '/usr/bin/python3';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ON_EBPF = 'learn: recording with eBPF';

interface Summary { runId: number; events: number; status: string; processes: number; parseErrors: number }

async function record(argv: readonly string[], name: string, extra: readonly string[] = []): Promise<Summary & { stderr: string; exitCode: number | undefined }> {
  const r = await runLearn(['--recorder', 'auto', '--db', s.db, '--json', '--no-policy', '--name', name, ...extra, '--', ...argv], { cwd: s.dir });
  assert.ok(r.stderr.includes(ON_EBPF), r.stderr);
  return { ...summaryJson<Summary>(r.stdout), stderr: r.stderr, exitCode: r.exitCode };
}

async function gcc(source: string, flags: readonly string[] = []): Promise<string> {
  const exe = join(s.dir, source.replace(/\.c$/, ''));
  if (!existsSync(exe)) await execa('gcc', ['-O0', ...flags, '-o', exe, join(FIXTURES, 'programs', source)]);
  return exe;
}

const count = (obs: readonly StoredObservation[], name: string): number => obs.filter((o) => o.name === name).reduce((n, o) => n + o.count, 0);

interface Case { readonly name: string; readonly argv: readonly string[]; readonly tolerance: number; readonly slack: number }
const CASES: Case[] = [
  { name: '/bin/true', argv: ['/bin/true'], tolerance: 0, slack: 0 },
  { name: 'ls -la /usr', argv: ['ls', '-la', '/usr'], tolerance: 0, slack: 0 },
  { name: 'sh pipeline with a background job', argv: ['sh', '-c', 'ls | wc -l; sleep 0.1 & wait'], tolerance: 0.1, slack: 2 },
  { name: 'python threads + os.fork', argv: [PYTHON, join(FIXTURES, 'programs/threads.py')], tolerance: 0.1, slack: 3 },
  { name: 'find', argv: ['find', '/usr/share/doc', '-name', '*.gz'], tolerance: 0, slack: 0 },
];

for (const c of CASES) {
  live(`${c.name}: the same syscalls and counts as strace -f -c, plus exit/exit_group`, async () => {
    const r = await record(c.argv, `ebpf ${c.name}`);
    assert.is(r.exitCode, 0, r.stderr);
    assert.is(r.status, 'complete');
    const stored = observationsOf(s.db, r.runId);
    const want = await straceCounts(c.argv, s.dir);
    // Present or not depending on where a signal lands; futex follows lock contention, which tracing changes.
    const racy = c.tolerance > 0 ? ['restart_syscall'] : [];
    const diffs = countDifferences(comparableCounts(stored), want, c.tolerance, c.slack, racy, c.tolerance > 0 ? ['futex'] : []);
    assert.equal(diffs, [], diffs.join('\n'));
    assert.ok(stored.some((o) => o.name === 'exit_group'), 'exit_group, which strace -c never counts, is counted');
    assert.is(runOf(s.db, r.runId)?.recorder, 'ebpf');
  });
}

/** (arch, name, shape) of the argument-sensitive observations of a run. */
function shapes(runId: number): string[] {
  return [...new Set(observationsOf(s.db, runId).filter((o) => o.shape !== '').map((o) => `${o.arch} ${o.name} ${o.shape}`))].sort();
}

live('argument shapes equal the strace recorder\'s (socket, socketpair, prctl, personality, fcntl, ioctl, mmap, mprotect, clone, clone3)', async () => {
  const argv = [PYTHON, join(FIXTURES, 'programs/arg-shapes.py')];
  const ebpf = await record(argv, 'shapes ebpf');
  const traced = await runLearn(['--recorder', 'strace', '--db', s.db, '--json', '--no-policy', '--name', 'shapes strace', '--', ...argv], { cwd: s.dir });
  assert.is(traced.exitCode, 0, traced.stderr);
  const got = shapes(ebpf.runId);
  assert.equal(got, shapes(summaryJson<Summary>(traced.stdout).runId));
  // Python opens every socket with SOCK_CLOEXEC (0x80000)
  for (const expected of ['x86_64 socket 2,524289,0', 'x86_64 socket 10,524290,0', 'x86_64 socket 1,524289,0', 'x86_64 socketpair 1,524293,0',
    'x86_64 prctl 15', 'x86_64 personality 4294967295', 'x86_64 mmap 3', 'x86_64 fcntl 2',
    // glibc's pthread_create: clone3's flags (CLONE_VM|CLONE_FS|…|CLONE_CHILD_CLEARTID), read from its struct
    'x86_64 clone3 4001536']) {
    assert.ok(got.includes(expected), `${expected} in ${got.join('; ')}`);
  }
  assert.ok(got.some((g) => g.startsWith('x86_64 clone ') || g.startsWith('x86_64 clone3')), got.join('; '));
});

live('a fork storm of 2,000 short processes: complete, nothing dropped, every exec and exit counted', async () => {
  const r = await record(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do /bin/true & i=$((i+1)); [ $((i % 50)) -eq 0 ] && wait; done; wait'], 'storm');
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.status, 'complete', r.stderr);
  assert.not.match(r.stderr, /dropped/);
  const obs = observationsOf(s.db, r.runId);
  assert.is(count(obs, 'execve'), 2001);
  assert.is(count(obs, 'exit_group'), 2001);
  assert.is(r.processes, 2001);
});

/** The helper alone on `argv`, its report (fd 3) on stdout, the program's output dropped. */
async function helperReport(options: readonly string[], argv: readonly string[]): Promise<ReturnType<typeof parseReport>> {
  const r = await execa('sh', ['-c', 'exec "$@" 3>&1 >/dev/null', 'sh', HELPER_PATH, '--report-fd', '3', ...options, '--exec', argv[0] as string, '--', ...argv]);
  return parseReport(r.stdout.split('\n'));
}

live('a counts map that fills up: the helper counts every update it could not make, and the run is incomplete', async () => {
  // no fast slots: every call goes through the counts hash
  const report = await helperReport(['--slots', '0', '--max-counts', '4'], ['/bin/ls', 'ls', '/']);
  assert.ok(report.complete);
  assert.is(report.counts.length, 4);
  assert.ok(report.drops > 0, `drops ${report.drops}`);
  assert.is(runStatus(report), 'incomplete');
  assert.is(runStatus(parseReport(['drops 0', 'end'])), 'complete');
});

live('the per-CPU fast counts and the counts hash give the same report, also once every fast slot is taken', async () => {
  // slot 0 is the program before its first exec; with 2 slots only sh gets one, and true/echo go to the hash
  const argv = ['/bin/sh', '-c', '/bin/true; /bin/echo hi; /bin/true; read x </dev/null; exit 3'];
  const summed = (report: ReturnType<typeof parseReport>): string[] => {
    const byKey = new Map<string, number>();
    for (const c of report.counts) {
      const key = [c.arch, c.nr, c.sub, c.missing, ...c.values, report.programs.get(c.program) ?? c.program].join(' ');
      byKey.set(key, (byKey.get(key) ?? 0) + c.count);
    }
    return [...byKey].map(([k, n]) => `${k} ${n}`).sort();
  };
  const [hash, fast, few] = [await helperReport(['--slots', '0'], argv), await helperReport([], argv), await helperReport(['--slots', '2'], argv)];
  assert.is(hash.drops + fast.drops + few.drops, 0);
  assert.ok(summed(hash).length > 20, summed(hash).join('\n'));
  assert.equal(summed(fast), summed(hash));
  assert.equal(summed(few), summed(hash));
  assert.equal(fast.exit, { kind: 'code', code: 3 });
});

live('keyed by mount namespace (for containers): a namespace\'s tasks are recorded from their first syscall, with their children', async () => {
  // the namespace outlives the recording: a freed namespace's inode number can be reused by the next one
  const inside = execa('unshare', ['-m', 'sh', '-c', 'sleep 1; ls / >/dev/null; sleep 5'], { reject: false });
  try {
    await sleep(300);
    const ino = statSync(`/proc/${inside.pid}/ns/mnt`).ino;
    const helper = execa('sh', ['-c', 'exec "$@" 3>&1', 'sh', HELPER_PATH, '--report-fd', '3', '--mntns', String(ino)], { reject: false });
    await sleep(2500);
    helper.kill('SIGINT');
    const report = parseReport(String((await helper).stdout).split('\n'));
    assert.ok(report.complete);
    assert.ok([...report.programs.values()].includes('/usr/bin/ls') || [...report.programs.values()].includes('/bin/ls'), [...report.programs.values()].join());
    assert.ok(report.counts.some((c) => c.arch === 'x86_64' && c.nr === 59), 'the execve of ls');
    assert.ok(report.procs.some((p) => p.tid === inside.pid), 'the shell, adopted on its first syscall');
  } finally {
    inside.kill('SIGKILL');
    await inside;
  }
});

live('probes that do not attach within the bound: the program never runs, and the error says so', async () => {
  const marker = join(s.dir, 'ran');
  let error: unknown;
  try {
    await startEbpf({ target: { kind: 'command', argv: ['touch', marker] }, env: process.env, cwd: s.dir, attachTimeoutMs: 1 });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof EbpfUnavailable, String(error));
  assert.match((error as Error).message, /did not attach within 0\.001 s/);
  await sleep(300);
  assert.not.ok(existsSync(marker), 'the gated program ran');
});

live('200 threads: 200 thread rows and one getppid from each', async () => {
  const r = await record([PYTHON, join(FIXTURES, 'programs/threads200.py')], 'threads200');
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.status, 'complete');
  assert.is(count(observationsOf(s.db, r.runId), 'getppid'), 200);
  const threads = readStore(s.db, (d) => (d.prepare('SELECT count(*) AS n FROM processes WHERE run_id = ? AND thread = 1').get(r.runId) as { n: number }).n);
  assert.is(threads, 200);
});

live('exec from a non-leader thread: the exec\'d program is recorded and its exit code comes through', async () => {
  const exe = await gcc('exec-thread.c', ['-pthread']);
  const r = await record([exe], 'exec-thread');
  assert.is(r.exitCode, 7, r.stderr);
  assert.is(r.status, 'complete');
  const obs = observationsOf(s.db, r.runId);
  assert.is(count(obs, 'execve'), 2, 'the program\'s and the thread\'s');
  assert.is(count(obs, 'exit_group'), 1, 'the shell\'s: the leader died in de_thread without one');
  const exes = readStore(s.db, (d) => d.prepare('SELECT exe FROM processes WHERE run_id = ? AND exe IS NOT NULL').all(r.runId) as { exe: string }[]);
  assert.ok(exes.some((e) => e.exe === '/bin/sh'), JSON.stringify(exes));
});

live('i386 calls (int $0x80): arch and numbers apart from x86_64, socketcall and old mmap arguments read from user memory', async () => {
  const int80 = await gcc('int80.c');
  const bare = await execa(int80, { reject: false });
  if (bare.exitCode !== 0) {
    console.log(`  i386 test skipped: this kernel does not run int $0x80 (${bare.signal ?? bare.exitCode})`);
    return;
  }
  const r = await record([int80], 'int80');
  const obs = observationsOf(s.db, r.runId);
  const find = (arch: string, nr: number) => obs.find((o) => o.arch === arch && o.nr === nr);
  assert.is(find('i386', 20)?.name, 'getpid');
  assert.is(find('i386', 20)?.count, 1);
  assert.is(find('i386', 64)?.name, 'getppid');
  assert.is(find('i386', 4)?.name, 'write');
  assert.is(find('x86_64', 39)?.name, 'getpid');
  const args = await record([await gcc('int80-args.c')], 'int80-args');
  const got = shapes(args.runId);
  assert.ok(got.includes('i386 socket 2,2,0'), got.join('; '));
  assert.ok(got.includes('i386 mmap 3'), got.join('; '));
});

live('x32 calls keep the x32 bit, or the test says why not', async () => {
  const probe = await execa(PYTHON, ['-c', 'import ctypes; l = ctypes.CDLL(None, use_errno=True); r = l.syscall(0x40000000 | 39); print(r, ctypes.get_errno())']);
  if (probe.stdout.trim().endsWith(' 38')) {
    console.log('  x32 test skipped: this kernel has no x32 ABI (CONFIG_X86_X32_ABI, syscall.x32=y)');
    return;
  }
  const r = await record([PYTHON, '-c', 'import ctypes; ctypes.CDLL(None).syscall(0x40000000 | 39)'], 'x32');
  assert.ok(observationsOf(s.db, r.runId).some((o) => o.arch === 'x86_64' && o.nr === (0x40000000 | 39)));
});

/** learn's eBPF helper and the program it runs, once both are up. */
async function started(learnPid: number): Promise<{ helper: number; program: number }> {
  for (let i = 0; i < 200; i++) {
    const helper = childrenOf(learnPid).find((p) => exeOf(p) === HELPER_PATH);
    const program = helper === undefined ? undefined : childrenOf(helper).find((p) => exeOf(p) !== HELPER_PATH);
    if (helper !== undefined && program !== undefined) return { helper, program };
    await sleep(50);
  }
  throw new Error('learn did not start its helper and program');
}

function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

/** BPF links of our program's tracepoints still attached anywhere on the machine. */
async function ourLinks(): Promise<number> {
  const r = await execa('bpftool', ['-j', 'prog', 'show'], { reject: false });
  if (r.exitCode !== 0) return 0;
  const progs = JSON.parse(r.stdout) as { name?: string }[];
  return progs.filter((p) => p.name === 'on_sys_enter').length;
}

live('SIGINT reaches the program, learn exits 130 and the run is complete', async () => {
  const child = spawnLearn(['--recorder', 'auto', '--db', s.db, '--no-policy', '--name', 'sigint', '--', 'sleep', '30']);
  await started(child.pid as number);
  process.kill(child.pid as number, 'SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, String(r.stderr));
  assert.match(String(r.stderr), /killed by SIGINT/);
  const runs = await runLearn(['runs', '--db', s.db, '--json', 'sigint']);
  const listed = JSON.parse(runs.stdout) as { runs: { status: string; signal: string | null }[] };
  assert.equal(listed.runs.map((x) => [x.status, x.signal]), [['complete', 'SIGINT']]);
});

live('--duration stops the program and counts as a normal end', async () => {
  const began = Date.now();
  const r = await record(['sleep', '30'], 'duration', ['--duration', '1']);
  assert.ok(Date.now() - began < 15_000);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /stopped by --duration/);
  assert.is(r.status, 'complete');
});

live('--attach records a running process and its future children, and leaves it running', async () => {
  const target = execa(PYTHON, ['-c', 'import os, time\nwhile True:\n  os.getppid()\n  pid = os.fork()\n  if pid == 0:\n    os.execv("/bin/true", ["true"])\n  os.waitpid(pid, 0)\n  time.sleep(0.05)'], { reject: false });
  try {
    await sleep(300);
    const r = await runLearn(['--recorder', 'auto', '--db', s.db, '--json', '--no-policy', '--name', 'attach', '--attach', String(target.pid), '--duration', '1'], { cwd: s.dir });
    assert.ok(r.stderr.includes(ON_EBPF), r.stderr);
    assert.is(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /detached from process/);
    const obs = observationsOf(s.db, summaryJson<Summary>(r.stdout).runId);
    assert.ok(count(obs, 'getppid') >= 5, `getppid ${count(obs, 'getppid')}`);
    assert.ok(count(obs, 'execve') >= 5, 'the children\'s execs');
    assert.ok(alive(target.pid as number), 'the attached process runs on');
  } finally {
    target.kill('SIGKILL');
    await target;
  }
});

live('--attach of a threaded process: every thread has its row, one blocked in a syscall too, and the threads\' calls count', async () => {
  // three threads call getppid every 20 ms; a fourth blocks in a read that never returns
  const program = 'import os, threading, time\nr, w = os.pipe()\nthreading.Thread(target=os.read, args=(r, 1), daemon=True).start()\n' +
    'def loop():\n  while True:\n    os.getppid(); time.sleep(0.02)\nfor _ in range(3): threading.Thread(target=loop, daemon=True).start()\ntime.sleep(60)';
  const target = execa(PYTHON, ['-c', program], { reject: false });
  try {
    for (let i = 0; i < 100 && (readdirSync(`/proc/${target.pid}/task`).length < 5); i++) await sleep(20);
    const tids = readdirSync(`/proc/${target.pid}/task`).map(Number);
    assert.is(tids.length, 5);
    const helper = execa('sh', ['-c', 'exec "$@" 3>&1', 'sh', HELPER_PATH, '--report-fd', '3', '--attach', String(target.pid)], { reject: false });
    await sleep(1500);
    helper.kill('SIGINT');
    const report = parseReport(String((await helper).stdout).split('\n'));
    assert.ok(report.complete);
    assert.equal(report.exit, { kind: 'detached' });
    const getppid = report.counts.filter((c) => c.arch === 'x86_64' && c.nr === 110).reduce((n, c) => n + c.count, 0);
    assert.ok(getppid >= 30, `getppid ${getppid}`);
    // before Linux 6.9 a thread has no pidfd of its own: a blocked one is adopted at its next syscall only
    const [major = 0, minor = 0] = release().split('.').map(Number);
    const seen = new Set(report.procs.map((p) => p.tid));
    if (major > 6 || (major === 6 && minor >= 9)) assert.equal(tids.filter((tid) => !seen.has(tid)), []);
    assert.ok(report.procs.filter((p) => p.thread).every((p) => p.tgid === target.pid));
    assert.ok(!target.exitCode && target.exitCode !== 0, 'the attached process runs on');
  } finally {
    target.kill('SIGKILL');
    await target;
  }
});

live('kill -9 of learn: the helper dies with it, no probe stays attached, the store stays consistent', async () => {
  const child = spawnLearn(['--recorder', 'auto', '--db', s.db, '--quiet', '--no-policy', '--name', 'kill9', '--', 'sleep', '31.5']);
  const { helper, program } = await started(child.pid as number);
  let committed = 0; // snapshots are committed every second
  for (let i = 0; i < 100 && committed === 0; i++) {
    await sleep(100);
    committed = readStore(s.db, (d) => (d.prepare(`SELECT coalesce(max(events), 0) AS n FROM runs r JOIN profiles p ON p.id = r.profile_id WHERE p.name = 'kill9'`).get() as { n: number }).n);
  }
  process.kill(child.pid as number, 'SIGKILL');
  for (let i = 0; i < 100 && alive(helper); i++) await sleep(50);
  const helperAlive = alive(helper);
  if (helperAlive) process.kill(helper, 'SIGKILL');
  process.kill(program, 'SIGKILL'); // it runs on unrecorded, as under strace; it is ours to end
  await child;
  assert.not.ok(helperAlive, 'the helper outlived learn');
  for (let i = 0; i < 40 && (await ourLinks()) > 0; i++) await sleep(50); // the kernel frees the links with the fds
  const runs = await runLearn(['runs', '--db', s.db, '--json', 'kill9']);
  assert.is(runs.exitCode, 0, runs.stderr);
  const listed = JSON.parse(runs.stdout) as { runs: { status: string }[] };
  assert.equal(listed.runs.map((x) => x.status), ['incomplete']);
  assert.ok(committed > 0, 'a snapshot was committed before the kill');
  const kept = readStore(s.db, (d) => d.prepare(`SELECT o.name FROM observations o JOIN runs r ON r.id = o.run_id JOIN profiles p ON p.id = r.profile_id WHERE p.name = 'kill9'`).all() as { name: string }[]);
  assert.ok(kept.some((o) => o.name === 'execve'), 'the counts up to the last snapshot are kept');
  assert.is(readStore(s.db, (d) => d.pragma('integrity_check', { simple: true })), 'ok');
});

live('no probe of ours is left attached once the recordings above have ended', async () => {
  assert.is(await ourLinks(), 0);
});

t('--recorder ebpf where it cannot run: one line saying why, and auto records with strace instead', async () => {
  const setpriv = await execa('setpriv', ['--bounding-set', '-bpf,-perfmon,-sys_admin', '--', 'true'], { reject: false });
  if (setpriv.exitCode !== 0) {
    console.log('  fallback test skipped: setpriv cannot drop capabilities here');
    return;
  }
  const dropped = (recorder: string) => execa('setpriv', ['--bounding-set', '-bpf,-perfmon,-sys_admin', '--', process.execPath,
    join(FIXTURES, '../bin/learn.js'), '--recorder', recorder, '--db', s.db, '--no-policy', '--name', `fallback ${recorder}`, '--', '/bin/true'],
  { reject: false, env: { NO_COLOR: '1', LEARN_RECORDER: '' }, cwd: s.dir });
  const auto = await dropped('auto');
  assert.is(auto.exitCode, 0, auto.stderr);
  assert.match(auto.stderr, /^learn: recording with strace: not root \(eBPF needs CAP_BPF and CAP_PERFMON\)$/m);
  const ebpf = await dropped('ebpf');
  assert.is(ebpf.exitCode, 2);
  assert.match(ebpf.stderr, /--recorder ebpf cannot run: not root/);
  assert.not.match(ebpf.stderr, /\n\s+at /, 'no stack trace');
});

t.run();
