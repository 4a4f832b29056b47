// Policy quality on real programs under real strace (issue 13): what a learned policy grants beyond the
// observed is what the program's capability implies, and nothing risky it never did.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { riskOf } from '../../src/diff/risk.js';
import { machineFacts, unmetPrecondition } from '../../src/record/ebpf/preconditions.js';
import { RISK_LEVELS } from '../../src/diff/review.js';
import { decide } from '../../src/policy/eval.js';
import { bodyOf, usesOf, type Action } from '../../src/policy/model.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import type { ResolvedPolicy } from '../../src/policy/resolved.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { runLearn, scratch, straceCounts } from '../helpers/learn-cli.js';

/** critical or high in the risk table the diff uses. */
const highRisk = (name: string): boolean => RISK_LEVELS.indexOf(riskOf(name).level) <= RISK_LEVELS.indexOf('high');
const t = suite('learn/quality (real strace)');

interface Learned {
  readonly text: string;
  readonly uses: readonly string[];
  readonly resolved: ResolvedPolicy;
}

/** Learns `argv` under real strace with `extra` policy flags; the policy as text, its USE list and resolved. */
async function learnProgram(argv: readonly string[], extra: readonly string[] = []): Promise<Learned> {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'input.txt'), 'one\ntwo\n');
    const r = await runLearn(['--quiet', '--db', s.db, '--name', 'p', '--out', s.dir, ...extra, '--', ...argv], { cwd: s.dir });
    assert.is(r.exitCode, 0, r.stderr);
    const text = readFileSync(join(s.dir, 'p.policy'), 'utf8');
    const parsed = parsePolicy(text, 'p.policy');
    const catalogName = /catalog: (\w+)/.exec(text)?.[1] ?? 'default';
    return { text, uses: usesOf(parsed.top!.body), resolved: resolvePolicy(parsed, 'x86_64', { catalog: loadCatalog(catalogName) }) };
  } finally {
    s.cleanup();
  }
}

function verdict(p: ResolvedPolicy, name: string, args: bigint[] = []): Action['kind'] {
  return decide(p, syscallNumber('x86_64', name)!, args).kind;
}

const allowed = (p: ResolvedPolicy): string[] => p.syscalls.filter((s) => s.clauses.some((c) => c.action.kind === 'allow')).map((s) => s.name);

const O_RDONLY = 0n, O_WRONLY = 1n, O_CREAT = 0x40n, O_TRUNC = 0x200n, O_CLOEXEC = 0x80000n;

t('a program that only reads files gets no create, delete or device-node syscall', async () => {
  const p = await learnProgram(['/usr/bin/cat', 'input.txt']);
  for (const name of ['unlink', 'unlinkat', 'rename', 'renameat2', 'mkdir', 'rmdir', 'link', 'symlink', 'truncate', 'creat',
    'mknod', 'mknodat', 'chmod', 'fchown', 'utimensat']) {
    assert.is(verdict(p.resolved, name), 'kill-process', `${name} is denied`);
  }
  // It opens files, but the filter keeps the open read-only.
  assert.is(verdict(p.resolved, 'openat', [0xffffff9cn, 0n, O_RDONLY | O_CLOEXEC]), 'allow');
  assert.is(verdict(p.resolved, 'openat', [0xffffff9cn, 0n, O_WRONLY | O_CREAT | O_TRUNC]), 'kill-process');
  assert.ok(p.uses.includes('FileRead'), p.uses.join(' '));
  assert.not.ok(p.uses.some((u) => ['FileWrite', 'FileCreate', 'DeviceNodes'].includes(u)), p.uses.join(' '));
});

t('a glibc program gets none of the spellings glibc no longer makes, and no signal waits or alarms it never made', async () => {
  const argv = ['/bin/sh', '-c', 'cat input.txt > out.txt; ls -la'];
  const p = await learnProgram(argv);
  const s = scratch();
  writeFileSync(join(s.dir, 'input.txt'), 'one\ntwo\n');
  const seen = await straceCounts(argv, s.dir).finally(() => s.cleanup());
  for (const name of ['open', 'stat', 'lstat', 'getdents', 'utime', 'utimes', 'futimesat', 'pause', 'rt_sigtimedwait', 'alarm', 'setitimer', 'getrusage']) {
    if (seen.has(name)) continue;
    assert.is(verdict(p.resolved, name), 'kill-process', `${name} is denied`);
  }
  // What such programs do make stays granted with the capability it belongs to.
  for (const name of ['openat', 'newfstatat', 'getdents64', 'utimensat', 'rt_sigprocmask', 'nanosleep']) assert.is(verdict(p.resolved, name, [0xffffff9cn, 0n, O_WRONLY | O_CREAT]), 'allow', name);
});

t('learned from `ls -n`, `ls -l` runs under the policy: the nscd probe fails with EACCES and glibc reads /etc/passwd', async () => {
  const s = scratch();
  try {
    const file = join(s.dir, 'owned-by-root');
    writeFileSync(file, 'x\n');
    const r = await runLearn(['--quiet', '--db', s.db, '--name', 'lsn', '--out', s.dir, '--', '/bin/ls', '-n', file], { cwd: s.dir });
    assert.is(r.exitCode, 0, r.stderr);
    const policy = join(s.dir, 'lsn.policy');
    assert.match(readFileSync(policy, 'utf8'), /^USE .*\bname_service_probe\b.* DEFAULT KILL$/m);
    const bare = await execa('/bin/ls', ['-l', file], { reject: false });
    const replayed = await runLearn(['replay', policy, '--', '/bin/ls', '-l', file]);
    assert.is(replayed.exitCode, 0, replayed.stderr);
    assert.is(replayed.stdout, bare.stdout);
    assert.match(replayed.stderr, /socket \(x86_64, nr 41\): \d+ calls?, ERRNO\(13\)/);
    // Without it the probe is what kills `ls -l`.
    writeFileSync(policy, readFileSync(policy, 'utf8').replace(', name_service_probe', ''));
    const killed = await runLearn(['replay', policy, '--', '/bin/ls', '-l', file]);
    assert.match(killed.stderr, /socket \(x86_64, nr 41\): 1 call, KILL_PROCESS/);
  } finally {
    s.cleanup();
  }
});

t('learned from sort on a small file, sort starts threads on a large one: clone3 fails with ENOSYS, the threads start with clone', async () => {
  const s = scratch();
  try {
    writeFileSync(join(s.dir, 'small.txt'), '3\n1\n2\n');
    // 200,000 lines: above the 131,072 at which GNU sort sorts in two threads (--parallel=2, on any CPU count).
    writeFileSync(join(s.dir, 'big.txt'), Array.from({ length: 200_000 }, (_, i) => `${(i * 7919) % 200_000}\n`).join(''));
    const r = await runLearn(['--quiet', '--db', s.db, '--name', 'sort', '--out', s.dir, '--', '/usr/bin/sort', '--parallel=2', '-o', 'sorted.txt', 'small.txt'], { cwd: s.dir });
    assert.is(r.exitCode, 0, r.stderr);
    const policy = join(s.dir, 'sort.policy');
    const text = readFileSync(policy, 'utf8');
    assert.match(text, /^USE .*\bclone3_fallback\b.* DEFAULT KILL$/m);
    const resolved = resolvePolicy(parsePolicy(text, policy), 'x86_64', { catalog: loadCatalog('default') });
    assert.is(verdict(resolved, 'clone', [0x11n]), 'kill-process', 'fork is not a thread');
    const bare = await execa('/usr/bin/sort', ['--parallel=2', '-o', 'bare.txt', 'big.txt'], { cwd: s.dir });
    assert.is(bare.exitCode, 0);
    const replayed = await runLearn(['replay', policy, '--', '/usr/bin/sort', '--parallel=2', '-o', 'replayed.txt', 'big.txt'], { cwd: s.dir });
    assert.is(replayed.exitCode, 0, replayed.stderr);
    assert.match(replayed.stderr, /clone3 \(x86_64, nr 435\): \d+ calls?, ERRNO\(38\)/);
    assert.ok(readFileSync(join(s.dir, 'replayed.txt')).equals(readFileSync(join(s.dir, 'bare.txt'))), 'the same sorted output');
    // A log-mode trial neither reports nor stores what the policy's own rule answered: `learn policy` keeps it out.
    const trial = await runLearn(['replay', '--mode', 'log', '--db', s.db, '--report', 'trial.json', policy, '--', '/usr/bin/sort', '--parallel=2', '-o', 'trial.txt', 'big.txt'], { cwd: s.dir });
    assert.is(trial.exitCode, 0, trial.stderr);
    const report = JSON.parse(readFileSync(join(s.dir, 'trial.json'), 'utf8')) as { violations: unknown[]; answeredByRules: { name: string; errno: number }[]; recorded: unknown };
    assert.equal(report.violations, []);
    assert.equal(report.answeredByRules.map((c) => [c.name, c.errno]), [['clone3', 38]]);
    assert.is(report.recorded, null, 'nothing stored');
  } finally {
    s.cleanup();
  }
});

const THREADED = ['/usr/bin/python3', '-c', "import threading; t=threading.Thread(target=print, args=('hi',)); t.start(); t.join()"];
const ebpfUnmet = unmetPrecondition(machineFacts());

for (const recorder of ['strace', 'ebpf'] as const) {
  const title = `a threaded program learned with ${recorder}: clone3 is not granted, it fails with ENOSYS and the thread starts with clone; replay and check pass`;
  if (recorder === 'ebpf' && ebpfUnmet !== null) {
    t.skip(title);
    console.log(`  ${title}: skipped: ${ebpfUnmet}`);
    continue;
  }
  t(title, async () => {
    const s = scratch();
    try {
      const r = await runLearn(['--quiet', '--recorder', recorder, '--db', s.db, '--name', 'threads', '--out', s.dir, '--', ...THREADED], { cwd: s.dir });
      assert.is(r.exitCode, 0, r.stderr);
      assert.is(r.stdout, 'hi');
      const policy = join(s.dir, 'threads.policy');
      const text = readFileSync(policy, 'utf8');
      const uses = usesOf(parsePolicy(text, policy).top!.body);
      assert.not.ok(uses.includes('Clone3'), uses.join(' '));
      assert.match(text, /^USE .*\bclone3_fallback\b.* DEFAULT KILL$/m);
      assert.match(text, /observed clone3 calls \(threads\/children without namespaces\) run as clone after ENOSYS/);
      const resolved = resolvePolicy(parsePolicy(text, policy), 'x86_64', { catalog: loadCatalog('default') });
      assert.is(verdict(resolved, 'clone', [0x3d0f00n]), 'allow', 'pthread_create\'s flags');
      assert.is(verdict(resolved, 'clone', [0x3d0f00n | 0x10000000n]), 'kill-process', 'never a new user namespace');
      const replayed = await runLearn(['replay', policy, '--', ...THREADED], { cwd: s.dir });
      assert.is(replayed.exitCode, 0, replayed.stderr);
      assert.is(replayed.stdout, 'hi');
      assert.match(replayed.stderr, /clone3 \(x86_64, nr 435\): \d+ calls?, ERRNO\(38\)/);
      const checked = await runLearn(['check', '--db', s.db, policy, '--profile', 'threads'], { cwd: s.dir });
      assert.is(checked.exitCode, 0, checked.stdout + checked.stderr);
      const report = await runLearn(['report', '--db', s.db, policy], { cwd: s.dir });
      assert.is(report.exitCode, 0, report.stderr);
      assert.match(report.stdout, /^\s+clone3\s+\d+ x86_64\s+ENOSYS, then clone: Basic/m);
      assert.not.match(report.stdout, /not allowed: .*clone3/);
    } finally {
      s.cleanup();
    }
  });
}

t('a program that writes files gets to create, replace and set times of them, but not device nodes', async () => {
  const p = await learnProgram(['/bin/sh', '-c', 'cat input.txt > out.txt']);
  assert.is(verdict(p.resolved, 'openat', [0xffffff9cn, 0n, O_WRONLY | O_CREAT | O_TRUNC]), 'allow');
  for (const name of ['rename', 'unlink', 'utimensat', 'fchmod']) assert.is(verdict(p.resolved, name), 'allow', name);
  assert.is(verdict(p.resolved, 'mknod'), 'kill-process');
  assert.is(verdict(p.resolved, 'mknodat'), 'kill-process');
});

t('glibc\'s read-only prlimit64 stays conditional: reading limits passes, setting them does not', async () => {
  const p = await learnProgram(['/usr/bin/true']);
  assert.match(p.text, /prlimit64|SelfInfo|Basic/);
  assert.is(verdict(p.resolved, 'prlimit64', [0n, 3n, 0n, 0x7ffc0000n]), 'allow', 'new_limit NULL: a read');
  assert.is(verdict(p.resolved, 'prlimit64', [0n, 3n, 0x7ffc0000n, 0n]), 'kill-process', 'new_limit set: a change');
  for (const name of ['setrlimit', 'setpriority', 'sched_setaffinity']) assert.is(verdict(p.resolved, name), 'kill-process', name);
});

t('a program that calls setuid gets setuid, not capset, setfsuid or the other id changes', async () => {
  // As root, setuid(0) changes nothing: the call is real and harmless.
  const p = await learnProgram(['/usr/bin/python3', '-c', 'import os; os.setuid(0)']);
  assert.is(verdict(p.resolved, 'setuid'), 'allow');
  for (const name of ['capset', 'setfsuid', 'setfsgid', 'setresuid', 'setreuid', 'setgid', 'setgroups']) {
    assert.is(verdict(p.resolved, name), 'kill-process', name);
  }
});

t('no default-catalog policy of a real program grants a high-risk call it never made', async () => {
  for (const argv of [['/usr/bin/ls', '-la', '/usr'], ['/bin/sh', '-c', 'seq 1 50 | sort -r | head -n 2 > x'], ['/usr/bin/python3', '-c', 'import json']]) {
    const s = scratch();
    try {
      const r = await runLearn(['--quiet', '--db', s.db, '--name', 'p', '--out', s.dir, '--', ...argv], { cwd: s.dir });
      assert.is(r.exitCode, 0, r.stderr);
      const shown = await runLearn(['show', 'p', '--db', s.db, '--json']);
      const seen = new Set((JSON.parse(shown.stdout) as { syscalls: { name: string }[] }).syscalls.map((x) => x.name));
      const parsed = parsePolicy(readFileSync(join(s.dir, 'p.policy'), 'utf8'), 'p.policy');
      const resolved = resolvePolicy(parsed, 'x86_64', { catalog: loadCatalog('default') });
      const risky = allowed(resolved).filter((n) => !seen.has(n) && highRisk(n));
      assert.equal(risky, [], argv.join(' '));
    } finally {
      s.cleanup();
    }
  }
});

t('the systemd catalog picks several small groups over @system-service when they grant fewer risky calls', async () => {
  const p = await learnProgram(['/usr/bin/ls', '-la', '/usr'], ['--catalog', 'systemd']);
  assert.not.ok(p.uses.includes('system_service'), p.uses.join(' '));
  assert.ok(p.uses.length > 1, p.uses.join(' '));
  const catalog = loadCatalog('systemd');
  const umbrella = resolvePolicy({ header: [], defs: [], top: { body: bodyOf(['system_service'], []), defaultAction: { kind: 'kill-process' } } }, 'x86_64', { catalog });
  const riskyIn = (r: ResolvedPolicy) => allowed(r).filter((n) => highRisk(n)).length;
  assert.ok(riskyIn(p.resolved) < riskyIn(umbrella), `${riskyIn(p.resolved)} vs ${riskyIn(umbrella)}`);
  // The group names are systemd's own.
  assert.match(p.text, /USE [a-z_]+(, [a-z_]+)*/);
});

t('--profile-level: strict allows exactly the observed, a subset of what balanced and broad allow', async () => {
  const strict = await learnProgram(['/usr/bin/cat', 'input.txt'], ['--profile-level', 'strict']);
  const balanced = await learnProgram(['/usr/bin/cat', 'input.txt']);
  const broad = await learnProgram(['/usr/bin/cat', 'input.txt'], ['--profile-level', 'broad']);
  assert.match(balanced.text, /Profile level balanced; cost \d+ = \d+ syscalls granted but never seen/);
  assert.match(strict.text, /level: strict/);
  const [a, b, c] = [allowed(strict.resolved), allowed(balanced.resolved), allowed(broad.resolved)];
  assert.ok(a.length < b.length && a.length < c.length, `${a.length} ${b.length} ${c.length}`);
  assert.ok(a.every((n) => b.includes(n) && c.includes(n)));
  const bad = await runLearn(['policy', 'p', '--profile-level', 'balancd']);
  assert.is(bad.exitCode, 2);
  assert.match(bad.stderr, /'balancd' is not a profile level/);
});

t.run();
