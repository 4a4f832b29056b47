// The supervisor on the real kernel, with real programs: every call a policy does not allow is named with its
// arguments (tar killed in enforce mode, curl and a burst of Python calls in log mode), as root and as nobody;
// a log-mode replay widens the policy through the store; the supervisor's death never hangs the program.
// Every denied call here is harmless (getpgid, sched_getparam, a loopback socket, tar's own calls into a
// scratch dir); enforce mode never lets one run.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { catalogForPolicy } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { LEARN, runLearn, scratch, spawnLearn, straceCounts, NEVER_RETURN } from '../helpers/learn-cli.js';
import { nginxArgv, portFree, processesNaming, startNginx, waitForPort } from '../helpers/nginx.js';
import { freePort } from '../helpers/processes.js';

const t = suite('e2e/replay-supervisor');
const s = scratch('learn-sup-');
t.after(() => s.cleanup());
chmodSync(s.dir, 0o777); // the unprivileged case writes its report here
const db = join(s.dir, 'learn.db');
const pol = join(s.dir, 'pol');

interface Violation { name: string; action: string; count: number; pids: number[]; args: { args: string[]; count: number }[] }
interface Report {
  exitCode: number;
  outcome: { kind: string };
  monitor: { kind: string } | null;
  killedBy: { name: string; nr: number; args: string[]; signal: string } | null;
  violations: Violation[];
  leftovers: { unit: string; killed: number } | null;
  recorded: { profile: string; runId: number } | null;
}

let reports = 0;
async function replay(args: readonly string[], cwd?: string): Promise<{ report: Report; stderr: string; exitCode: number | undefined }> {
  const file = join(s.dir, `report-${reports++}.json`);
  const r = await runLearn(['replay', '--report', file, ...args], cwd === undefined ? {} : { cwd });
  let report: Report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  } catch {
    throw new Error(`no report (exit ${r.exitCode}): ${r.stderr}`);
  }
  return { report, stderr: r.stderr, exitCode: r.exitCode };
}

async function learn(name: string, argv: readonly string[], extra: readonly string[] = [], cwd?: string): Promise<string> {
  const r = await runLearn(['--db', db, '--name', name, '--out', pol, '--quiet', ...extra, '--', ...argv], cwd === undefined ? {} : { cwd });
  assert.is(r.exitCode, 0, r.stderr);
  return join(pol, `${name}.policy`);
}

const byName = (r: Report): Map<string, Violation> => new Map(r.violations.map((v) => [v.name, v]));

t('tar xzf under a strict policy learned from tar czf: 20 of 20 reports name the killed call and its arguments', async () => {
  const dir = join(s.dir, 'tar');
  mkdirSync(join(dir, 'src/sub'), { recursive: true });
  for (const f of ['a', 'b', 'sub/c']) writeFileSync(join(dir, 'src', f), `${f}\n`.repeat(100));
  const policy = await learn('tarc', ['tar', 'czf', 'a.tgz', 'src'], ['--strict'], dir);
  const named: string[] = [];
  for (let i = 0; i < 20; i++) {
    const out = join(dir, `x${i}`);
    mkdirSync(out);
    const { report, stderr } = await replay([policy, '--', 'tar', 'xzf', 'a.tgz', '-C', out], dir);
    assert.is(report.monitor?.kind, 'supervisor');
    assert.ok(report.killedBy !== null, `run ${i}: no killed call named: ${stderr}`);
    assert.is(report.killedBy?.args.length, 6);
    assert.match(stderr, `killed by ${report.killedBy?.signal} at ${report.killedBy?.name} (`);
    named.push(report.killedBy?.name ?? '');
  }
  assert.is(named.filter((n) => n !== '').length, 20);
});

let lsPolicy = '';
t('curl against a local nginx in log mode under a policy learned from ls: every call beyond it, with arguments', async () => {
  const policy = (lsPolicy = await learn('ls', ['ls', '/']));
  const port = await freePort();
  const nginx = startNginx(join(s.dir, 'nginx-curl'), port, { master: false });
  try {
    await waitForPort(port);
    const url = `http://127.0.0.1:${port}/`;
    const { report } = await replay(['--mode', 'log', '--no-record', policy, '--', 'curl', '-s', '-o', '/dev/null', url]);
    assert.is(report.exitCode, 0);
    const got = byName(report);
    const socket = got.get('socket');
    assert.ok(socket, 'socket is reported');
    assert.ok(socket.args.some((a) => BigInt(a.args[0] ?? '') === 2n && (BigInt(a.args[1] ?? '') & 0xfn) === 1n), `socket(AF_INET, SOCK_STREAM…): ${JSON.stringify(socket.args)}`);
    // The same set as strace -f -c beyond the policy: what it denies whatever the arguments (no ALLOW rule at all)
    // must be there; what it allows only for some arguments may be either; nothing reported that strace never saw.
    const text = readFileSync(policy, 'utf8');
    const resolved = resolvePolicy(parsePolicy(text, policy), 'x86_64', { catalog: catalogForPolicy(undefined, text) });
    const allowsSome = (name: string): boolean => resolved.syscalls.find((c) => c.name === name)?.clauses.some((c) => c.action.kind === 'allow') ?? false;
    const strace = await straceCounts(['curl', '-s', '-o', '/dev/null', url]);
    const denied = [...strace.keys()].filter((n) => !allowsSome(n));
    assert.ok(denied.length >= 3, `curl makes calls an ls policy denies: ${denied.join(' ')}`);
    for (const name of denied) assert.ok(got.has(name), `${name} (strace -c: ${strace.get(name)} calls) is missing from the report`);
    for (const name of got.keys()) assert.ok(strace.has(name) || NEVER_RETURN.has(name), `${name} is reported but strace -c never saw it`);
  } finally {
    nginx.kill('SIGKILL');
  }
});

const BURST = [
  'sched_yield', 'times', 'getpgid', 'getsid', 'getpriority', 'sched_getscheduler', 'sched_getparam',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval', 'getresuid', 'getresgid',
];
const PER_CALL = 400;
/** 12 distinct syscalls, 400 times each, back to back: 4,800 notifications in a burst. */
const burstScript = `
import os
for _ in range(${PER_CALL}):
    os.sched_yield(); os.times(); os.getpgid(0); os.getsid(0); os.getpriority(os.PRIO_PROCESS, 0)
    os.sched_getscheduler(0); os.sched_getparam(0); os.sched_get_priority_max(0); os.sched_get_priority_min(0)
    os.sched_rr_get_interval(0); os.getresuid(); os.getresgid()
`;

/** The alternatives of a policy's argument rule for socket, as written. */
const socketClauses = (policy: string): string[] =>
  /^\s*socket\(domain, type, protocol\) \{ (.*) \},?$/m.exec(policy)?.[1]?.split(' || ') ?? [];

let pyPolicy = '';
t('a Python program making 12 distinct denied calls in a burst of 4,800: 12 of 12 reported, counts exact', async () => {
  pyPolicy = await learn('py', ['python3', '-c', 'pass'], ['--strict']);
  const { report } = await replay(['--mode', 'log', '--no-record', pyPolicy, '--', 'python3', '-c', burstScript]);
  assert.is(report.exitCode, 0);
  const got = byName(report);
  assert.equal(BURST.map((n) => [n, got.get(n)?.count]), BURST.map((n) => [n, PER_CALL]));
});

t('as an unprivileged user (setpriv --reuid=65534, no_new_privs): the same burst, counts exact', async () => {
  const file = join(s.dir, 'nobody.json');
  const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, LEARN, 'replay', '--mode', 'log',
    '--no-record', '--report', file, pyPolicy, '--', 'python3', '-c', burstScript], { cwd: s.dir, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: s.dir } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.is(code, 0, stderr);
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  assert.is(report.monitor?.kind, 'supervisor');
  assert.is(report.leftovers?.unit, 'subreaper', 'nobody cannot make a cgroup');
  const got = byName(report);
  assert.equal(BURST.map((n) => [n, got.get(n)?.count]), BURST.map((n) => [n, PER_CALL]));
});

t('log mode stores the denied calls with their arguments; learn policy then allows exactly them: enforce runs clean', async () => {
  const widenScript = 'import os, socket\nos.getpgid(0); os.sched_getparam(0)\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM).close()\n';
  const first = await replay(['--mode', 'log', '--db', db, pyPolicy, '--', 'python3', '-c', widenScript]);
  assert.is(first.exitCode, 0, first.stderr);
  assert.is(first.report.recorded?.profile, 'py', first.stderr);
  const stored = await runLearn(['policy', 'py', '--db', db, '--strict', '--out', join(s.dir, 'pol2')]);
  assert.is(stored.exitCode, 0, stored.stderr);
  const widened = readFileSync(join(s.dir, 'pol2/py.policy'), 'utf8');
  // The widened socket rule adds exactly the stored AF_INET call to what the first policy allowed (python3 without
  // HOME, as under CI, makes glibc's nscd probe, socket(AF_UNIX, ...), while learning `pass`).
  const added = socketClauses(widened).filter((c) => !socketClauses(readFileSync(pyPolicy, 'utf8')).includes(c));
  assert.equal(added, ['domain == /*AF_INET*/2 && type == 0x80001 && protocol == 0'], `socket is widened by AF_INET only (its arguments were stored):\n${widened.split('\n').filter((l) => l.includes('socket')).join('\n')}\n${first.stderr}`);
  const again = await replay([join(s.dir, 'pol2/py.policy'), '--', 'python3', '-c', widenScript]);
  assert.is(again.exitCode, 0, again.stderr);
  assert.equal(again.report.violations, []);
  assert.is(again.report.killedBy, null);
});

t('the supervisor dying never hangs the program: its denied calls fail with ENOSYS from then on', async () => {
  const dir = join(s.dir, 'death');
  mkdirSync(dir);
  const out = join(dir, 'out.txt');
  // 300 getpgid calls 10 ms apart (1: answered), each failing with ENOSYS (-38) once no supervisor answers
  // (clock_nanosleep too: the policy, learned from `python3 -c pass`, lacks it). The output file is opened while
  // the supervisor still answers: the policy allows read-only opens only.
  const started = `${out}.started`;
  const script = `import os, time\nf = open(${JSON.stringify(out)}, 'w')\nr = []\nfor i in range(300):\n    try:\n        os.getpgid(0); r.append(1)\n    except OSError as e:\n        r.append(-e.errno)\n    if i == 0:\n        open(${JSON.stringify(started)}, 'w').close()\n    try:\n        time.sleep(0.01)\n    except OSError:\n        pass\nf.write(' '.join(map(str, r)))\nf.close()\n`;
  const driver = spawn(process.execPath, [new URL('../helpers/supervised-run.js', import.meta.url).pathname, pyPolicy, 'python3', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = await new Promise<number>((resolve) => driver.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  // Killed once the program made its first answered call (however slow its start), well before its last.
  for (let i = 0; i < 600 && !existsSync(started); i++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 300));
  driver.kill('SIGKILL');
  const killedAt = Date.now();
  while (Date.now() - killedAt < 15_000) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const values = readFileSync(out, 'utf8').split(' ').map(Number);
  assert.is(values.length, 300);
  assert.is(values[0], 1, 'answered while the supervisor ran');
  assert.is(values[values.length - 1], -38, 'ENOSYS once it was gone');
});

/** Replays a private nginx (a master and 2 workers) in log mode under the ls policy; `act` ends it somehow. */
async function containedNginx(name: string, extra: readonly string[], act: (pidFile: string) => Promise<void>): Promise<{ report: Report; ms: number }> {
  const dir = join(s.dir, name);
  const port = await freePort();
  const argv = nginxArgv(dir, port, 2);
  const file = join(s.dir, `${name}.json`);
  const started = Date.now();
  const child = spawnLearn(['replay', '--mode', 'log', '--no-record', '--report', file, ...extra, lsPolicy, '--', ...argv]);
  const pidFile = join(dir, 'nginx.pid');
  try {
    await waitForPort(port);
    // nginx listens before it writes its pid file
    for (let i = 0; i < 400 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
    await act(pidFile);
  } catch (error) {
    child.kill('SIGKILL'); // the replay's unit guard then ends nginx: a failed test leaves nothing running
    throw error;
  }
  const r = await child;
  const ms = Date.now() - started;
  assert.equal(processesNaming(join(dir, 'nginx.conf')), [], `nginx processes left: ${String(r.stderr)}`);
  assert.ok(await portFree(port), 'the port is free at once');
  return { report: JSON.parse(readFileSync(file, 'utf8')) as Report, ms };
}

t('nginx replayed, its master SIGKILLed: replay exits and no nginx process is left (scan of /proc)', async () => {
  const { report } = await containedNginx('ngx-kill', [], async (pidFile) => {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  });
  assert.is(report.outcome.kind, 'signaled');
  assert.ok((report.leftovers?.killed ?? 0) >= 2, `the workers were killed: ${JSON.stringify(report.leftovers)}`);
});

t('nginx replayed with --duration 3: stopped on time, nothing left, the port free at once', async () => {
  const { report, ms } = await containedNginx('ngx-duration', ['--duration', '3', '--grace', '2'], async () => undefined);
  assert.is(report.exitCode, 0);
  assert.ok(ms < 3000 + 2000 + 8000, `took ${ms} ms`); // --duration, --grace, and start-up on a loaded VM
});

t('a policy that denies even read: the loader\'s own wait is not a violation, the program\'s first call is', async () => {
  const policy = join(s.dir, 'only-execve.policy');
  writeFileSync(policy, 'POLICY p { ALLOW { execve } }\nUSE p DEFAULT KILL\n');
  const { report } = await replay([policy, '--', '/bin/true']);
  assert.is(report.exitCode, 159);
  assert.is(report.killedBy?.name, 'brk');
  assert.equal(report.violations.map((v) => v.name), ['brk']);
});

t('SIGINT to learn replay: forwarded; after --grace the unit ends, and what the program started in the background is gone too', async () => {
  const marker = `sleep\u0000${31_000 + (process.pid % 1000)}`;
  const seconds = marker.split('\u0000')[1] as string;
  const file = join(s.dir, 'sigint.json');
  const child = spawnLearn(['replay', '--mode', 'log', '--no-record', '--grace', '1', '--report', file, lsPolicy, '--', 'sh', '-c', `sleep ${seconds} & sleep ${seconds}`]);
  for (let i = 0; i < 200 && processesNaming(marker).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.is(processesNaming(marker).length, 2, 'both sleeps run');
  child.kill('SIGINT');
  const r = await child;
  // sh waits for its foreground sleep (a terminal's Ctrl-C would have reached that too): --grace ends it all
  assert.is(r.exitCode, 137, String(r.stderr));
  assert.equal(processesNaming(marker), [], 'the background sleep was killed with the unit');
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report & { stoppedBy: string };
  assert.is(report.stoppedBy, 'SIGINT');
});

t('learn -- CMD --report FILE: the summary in a file of its own, not on stdout', async () => {
  const file = join(s.dir, 'trace.json');
  const r = await runLearn(['--db', db, '--name', 'echo', '--no-policy', '--quiet', '--report', file, '--', 'echo', 'hello']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stdout, 'hello');
  assert.is((JSON.parse(readFileSync(file, 'utf8')) as { profile: string }).profile, 'echo');
});

t.run();
