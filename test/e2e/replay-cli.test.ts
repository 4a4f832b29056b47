// `learn replay` end to end on the real kernel: a probe learned without its mkdir, replayed with it in each
// mode and under both launchers; the filter cache; signals; and bad input.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn, scratch, spawnLearn, WORK_DIR } from '../helpers/learn-cli.js';
import { treeOf } from '../helpers/processes.js';
import { bwrapUsable } from '../helpers/bwrap.js';
import { buildMkdirProbe, replayJson, replayReport } from '../helpers/replay-cli.js';

const t = suite('e2e/replay-cli');
const probe = buildMkdirProbe();
const s = scratch('learn-replay-cli-');
const out = join(s.dir, 'out');
const policy = join(out, 'mk.policy');
let n = 0;
const freshDir = (): string => join(s.dir, `made-${++n}`);
const hasMkdir = (action: string) => (r: { violations: readonly { name: string; action: string }[] }) =>
  r.violations.some((v) => v.name === 'mkdir' && v.action === action);

t.before(async () => {
  const traced = await runLearn(['--db', s.db, '--name', 'mk', '--', probe, '0']);
  assert.is(traced.exitCode, 0, traced.stderr);
  const learned = await runLearn(['policy', 'mk', '--strict', '--db', s.db, '--out', out]);
  assert.is(learned.exitCode, 0, learned.stderr);
});
t.after(() => s.cleanup());

t('without the extra call the program runs to the end under its own policy (default KILL)', async () => {
  const r = await runLearn(['replay', policy, '--', probe, '0']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stdout, 'done'); // execa strips the final newline
  assert.match(r.stderr, /probe-\w+ exited with status 0 \(enforce mode, loader, pid \d+\)/);
});

t('enforce: killed by SIGSYS, exit 159, and the report names mkdir', async () => {
  const dir = freshDir();
  const { run, report } = await replayJson([policy, '--', probe, '0', dir], (r) => r.killedBy !== null);
  assert.is(run.exitCode, 159, run.stderr);
  assert.not.ok(existsSync(dir), 'mkdir did not run');
  assert.is(report.outcome.kind, 'seccomp-killed');
  assert.equal(report.killedBy && [report.killedBy.name, report.killedBy.pid, report.killedBy.action], ['mkdir', report.pid, 'kill-process']);
  assert.ok(hasMkdir('kill-process')(report), JSON.stringify(report.violations));
  assert.match(run.stderr, `killed by SIGSYS at mkdir (x86_64, nr 83) in pid ${report.pid}`);
});

t('log: the program completes and the violation is listed', async () => {
  const dir = freshDir();
  const { run, report } = await replayJson(['--mode', 'log', policy, '--', probe, '0', dir], hasMkdir('log'));
  assert.is(run.exitCode, 0, run.stderr);
  assert.ok(existsSync(dir));
  assert.match(run.stdout, /^mkdir ok\ndone\n/);
  assert.equal(report.violations.map((v) => [v.name, v.arch, v.action, v.count, v.pids]), [['mkdir', 'x86_64', 'log', 1, [report.pid]]]);
  assert.match(run.stderr, `mkdir (x86_64, nr 83): 1 call, LOG, pid ${report.pid}`);
});

t('errno: the program sees EPERM and carries on', async () => {
  const dir = freshDir();
  const { run, report } = await replayJson(['--mode', 'errno', policy, '--', probe, '0', dir], hasMkdir('errno'));
  assert.is(run.exitCode, 0, run.stderr);
  assert.match(run.stdout, /^mkdir failed errno=1\ndone\n/);
  assert.not.ok(existsSync(dir));
  // The loader sets SECCOMP_FILTER_FLAG_LOG, so the kernel logs the ERRNO denial too.
  assert.equal(report.violations.map((v) => [v.name, v.action, v.count]), [['mkdir', 'errno', 1]]);
});

(bwrapUsable('e2e/replay-cli') ? t : t.skip)('bwrap launcher: the same kill and report', async () => {
  const dir = freshDir();
  const { run, report } = await replayJson(['--launcher', 'bwrap', policy, '--', probe, '0', dir], (r) => r.killedBy !== null);
  assert.is(run.exitCode, 159, run.stderr);
  assert.is(report.replay.launcher, 'bwrap');
  assert.is(report.killedBy?.name, 'mkdir');
  assert.not.ok(existsSync(dir));
});

t('the compiled filter is cached in the private cache per mode, and reused; nothing is written beside the policy', async () => {
  const cacheDir = join(WORK_DIR, 'cache', 'seccomp-learn', 'filters');
  const first = await runLearn(['replay', '--json', '--mode', 'errno', policy, '--', probe, '0']);
  const again = await runLearn(['replay', '--json', '--mode', 'errno', policy, '--', probe, '0']);
  assert.is(replayReport(again.stdout).replay.cache, 'hit', first.stderr);
  // Other test files share the cache: this policy's entries start with the hash of its path.
  const mine = `${createHash('sha256').update(policy).digest('hex').slice(0, 16)}.x86_64.`;
  const cached = readdirSync(cacheDir).filter((f) => f.startsWith(mine));
  assert.equal(cached.map((f) => f.split('.')[2]).sort(), ['enforce', 'errno', 'log'], 'one entry per mode');
  assert.equal(readdirSync(out).filter((f) => f.startsWith('.')), [], 'nothing beside the policy');
  assert.is(statSync(cacheDir).mode & 0o777, 0o700);
  writeFileSync(policy, `${readFileSync(policy, 'utf8')}\n// edited\n`);
  const edited = await runLearn(['replay', '--json', '--mode', 'errno', policy, '--', probe, '0']);
  assert.is(replayReport(edited.stdout).replay.cache, 'written', 'a new hash after an edit');
  assert.is(readdirSync(cacheDir).filter((f) => f.startsWith(`${mine}errno.`)).length, 1, 'the stale entry is gone');
});

t('a compiled .bpf replays in enforce mode only', async () => {
  const bpf = join(s.dir, 'mk.bpf');
  assert.is((await runLearn(['compile', policy, '-o', bpf])).exitCode, 0);
  const ok = await runLearn(['replay', bpf, '--', probe, '0', freshDir()]);
  assert.is(ok.exitCode, 159, ok.stderr);
  const log = await runLearn(['replay', '--mode', 'log', bpf, '--', probe, '0']);
  assert.is(log.exitCode, 2);
  assert.match(log.stderr, 'is a compiled filter: its actions are fixed, so it can only be replayed with --mode enforce');
});

t('SIGTERM to learn reaches the target; learn exits as the target did', async () => {
  const child = spawnLearn(['replay', policy, '--', probe, '30000']);
  // Once the probe runs (learn's handlers are installed by then, however slow the machine is).
  const running = (): boolean => treeOf(child.pid!).some((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(`${probe}\0`);
    } catch {
      return false;
    }
  });
  for (let i = 0; i < 400 && !running(); i++) await new Promise((r) => setTimeout(r, 25));
  child.kill('SIGTERM');
  const r = await child;
  assert.is(r.exitCode, 143, String(r.stderr));
  assert.match(String(r.stderr), 'killed by SIGTERM');
});

t('bad input: missing policy, syntax error with file:line:col, no execve, unknown command, no command', async () => {
  const missing = await runLearn(['replay', join(s.dir, 'nope.policy'), '--', probe]);
  assert.is(missing.exitCode, 2);
  assert.match(missing.stderr, /^learn: cannot read .*nope\.policy: ENOENT$/);

  const bad = join(s.dir, 'bad.policy');
  writeFileSync(bad, 'POLICY p {\n  ALLOW { read, write }\n  ALLOW { 42 }\n}\nUSE p DEFAULT KILL\n');
  const syntax = await runLearn(['replay', bad, '--', probe]);
  assert.is(syntax.exitCode, 2);
  assert.match(syntax.stderr, /^learn: .*bad\.policy:3:\d+: /);

  const noExec = join(s.dir, 'noexec.policy');
  writeFileSync(noExec, 'POLICY p { ALLOW { read, write, exit_group } }\nUSE p DEFAULT KILL\n');
  const denied = await runLearn(['replay', noExec, '--', probe, '0']);
  assert.is(denied.exitCode, 126);
  assert.match(denied.stderr, 'the filter does not allow execve');

  const absent = await runLearn(['replay', policy, '--', 'no-such-command-here']);
  assert.is(absent.exitCode, 127);
  assert.match(absent.stderr, 'no-such-command-here: command not found');

  const none = await runLearn(['replay', policy]);
  assert.is(none.exitCode, 2);
  assert.match(none.stderr, 'nothing to run');
});

t.run();
