// How `learn -- CMD` ends: the program's exit code or 128+signal, --duration, SIGINT forwarding, and the
// one-line errors for a missing strace, a missing command and a bad store.
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { observationsOf, runLearn, runOf, scratch, spawnLearn, summaryJson } from '../helpers/learn-cli.js';

const t = suite('e2e/trace-exit');
const s = scratch();
t.after(() => s.cleanup());

interface Summary { runId: number; status: string; ended: { exitCode: number | null; signal: string | null; how: string } }

async function trace(args: readonly string[]): Promise<{ exitCode: number | undefined; summary: Summary; stderr: string }> {
  const r = await runLearn(['--db', s.db, '--json', ...args]);
  return { exitCode: r.exitCode, summary: summaryJson<Summary>(r.stdout), stderr: r.stderr };
}

t('exit code propagates: sh -c "exit 7" → 7', async () => {
  const r = await trace(['--', 'sh', '-c', 'exit 7']);
  assert.is(r.exitCode, 7);
  assert.match(r.stderr, 'program exited with code 7');
  assert.is(runOf(s.db, r.summary.runId)?.exit_code, 7);
});

t('an option value that is also a command name (`--name diff`) names the profile; only the first word names a command', async () => {
  const r = await runLearn(['--db', s.db, '--name', 'diff', '--no-policy', '--', 'true']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /profile diff, run \d+ \(complete\)/);
  const runs = await runLearn(['--debug', 'runs', 'diff', '--db', s.db]);
  assert.is(runs.exitCode, 0, runs.stderr);
  assert.match(runs.stdout, /^diff: \d+ runs?/);
});

t('killed by SIGKILL → 137, and the run is complete', async () => {
  const r = await trace(['--', 'sh', '-c', 'kill -9 $$']);
  assert.is(r.exitCode, 137);
  assert.match(r.stderr, 'killed by SIGKILL');
  const run = runOf(s.db, r.summary.runId);
  assert.is(run?.signal, 'SIGKILL');
  assert.is(run?.status, 'complete');
});

t('--duration stops the program with SIGTERM; what was traced is stored', async () => {
  const started = Date.now();
  const r = await trace(['--duration', '0.5', '--', 'sleep', '30']);
  assert.ok(Date.now() - started < 10_000, 'took too long');
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.summary.ended.signal, 'SIGTERM');
  assert.match(r.summary.ended.how, '--duration');
  const names = observationsOf(s.db, r.summary.runId).map((o) => o.name);
  assert.ok(names.includes('clock_nanosleep'), names.join(' '));
});

t('--duration escalates to SIGKILL after --grace when SIGTERM is ignored', async () => {
  const started = Date.now();
  const r = await trace(['--duration', '0.3', '--grace', '0.5', '--', 'sh', '-c', 'trap "" TERM; sleep 30']);
  assert.ok(Date.now() - started < 10_000, 'took too long');
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(runOf(s.db, r.summary.runId)?.status, 'complete');
});

t('SIGINT to learn reaches the program, which exits its own way; the run is complete', async () => {
  const script = 'trap "echo got-int; exit 3" INT; echo ready; while :; do sleep 0.05; done';
  const child = spawnLearn(['--db', s.db, '--json', '--name', 'sigint', '--', 'sh', '-c', script]);
  await new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 3, String(r.stderr));
  assert.match(String(r.stdout), 'got-int');
  const summary = summaryJson<Summary>(String(r.stdout));
  assert.is(runOf(s.db, summary.runId)?.status, 'complete');
});

t('SIGINT while strace is still starting the program is not lost', async () => {
  const child = spawnLearn(['--db', s.db, '--quiet', '--no-policy', '--name', 'early-int', '--', 'sleep', '30']);
  const learnPid = child.pid as number;
  // The moment learn has spawned strace, before strace can have forked the program.
  const spawned = (): boolean => {
    try {
      return readdirSync(`/proc/${learnPid}/task`).some((tid) => readFileSync(`/proc/${learnPid}/task/${tid}/children`, 'utf8').trim() !== '');
    } catch {
      return false;
    }
  };
  while (!spawned()) await new Promise((r) => setTimeout(r, 1));
  const started = Date.now();
  child.kill('SIGINT');
  const r = await child;
  assert.is(r.exitCode, 130, String(r.stderr));
  assert.ok(Date.now() - started < 10_000, 'the program ran on after the SIGINT');
});

t('--attach traces a running process and detaches at --duration, leaving it running', async () => {
  const target = execa('sh', ['-c', 'while :; do sleep 0.05; done'], { reject: false });
  try {
    const r = await trace(['--attach', String(target.pid), '--duration', '0.5', '--name', 'attached']);
    assert.is(r.exitCode, 0, r.stderr);
    assert.match(r.summary.ended.how, `detached from process ${target.pid}`);
    assert.not.throws(() => process.kill(target.pid as number, 0), 'the attached process still runs');
    const names = observationsOf(s.db, r.summary.runId).map((o) => o.name);
    assert.ok(names.includes('wait4') || names.includes('clone'), names.join(' '));
  } finally {
    target.kill('SIGKILL');
    await target;
  }
});

t('missing strace: one line with the fix, exit 2', async () => {
  const bin = join(s.dir, 'bin-without-strace');
  mkdirSync(bin);
  symlinkSync('/bin/sh', join(bin, 'sh'));
  const r = await runLearn(['--db', s.db, '--', 'sh', '-c', 'true'], { env: { PATH: bin } });
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim(), 'learn: strace not found: install it with `apt-get install strace`');
});

t('a command that does not exist: one line, exit 2, no run left behind', async () => {
  const r = await runLearn(['--db', s.db, '--', 'no-such-command-xyz', '--flag']);
  assert.is(r.exitCode, 2);
  assert.is(r.stderr.trim(), 'learn: command not found: no-such-command-xyz');
  const runs = await runLearn(['runs', '--db', s.db, '--json']);
  assert.not.match(runs.stdout, 'no-such-command-xyz');
});

t('no command at all is a usage error', async () => {
  const r = await runLearn(['--db', s.db]);
  assert.is(r.exitCode, 2);
  assert.match(r.stderr, 'nothing to trace');
});

t('a store that is not SQLite, or cannot be written: one line, exit 2', async () => {
  const junk = join(s.dir, 'junk.db');
  writeFileSync(junk, 'this is not a database\n'.repeat(200));
  const notDb = await runLearn(['--db', junk, '--', '/bin/true']);
  assert.is(notDb.exitCode, 2);
  assert.match(notDb.stderr, /^learn: .*junk\.db: not a SQLite database\n/);
  assert.not.match(notDb.stderr, '    at ');
  const unwritable = await runLearn(['--db', '/proc/learn-test/learn.db', '--', '/bin/true']);
  assert.is(unwritable.exitCode, 2);
  assert.match(unwritable.stderr, /^learn: .*\/proc\/learn-test\/learn\.db/);
  assert.not.match(unwritable.stderr, '    at ');
});

t('a store that cannot be opened never starts the program', async () => {
  const marker = join(s.dir, 'ran');
  const touch = ['--', 'sh', '-c', `touch ${marker}`];
  const junk = join(s.dir, 'junk2.db');
  writeFileSync(junk, 'not sqlite at all');
  const notDb = await runLearn(['--db', junk, ...touch]);
  assert.is(notDb.exitCode, 2);
  assert.match(notDb.stderr, /^learn: .*junk2\.db: not a SQLite database\n/);
  const dir = join(s.dir, 'a-directory.db');
  mkdirSync(dir);
  const isDir = await runLearn(['--db', dir, ...touch]);
  assert.is(isDir.exitCode, 2);
  assert.match(isDir.stderr, /^learn: .*a-directory\.db: store is not writable \(it is a directory\)\n/);
  assert.not.ok(existsSync(marker), 'the program ran although the store was bad');
});

t('a store that fails only when opened (SQLite header, garbage after) stops the started program at once', async () => {
  const fake = join(s.dir, 'fake.db');
  writeFileSync(fake, Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(4096, 0xab)]));
  const started = Date.now();
  const r = await runLearn(['--db', fake, '--', 'sleep', '30']);
  assert.is(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /^learn: .*fake\.db/);
  assert.not.match(r.stderr, '    at ');
  assert.ok(Date.now() - started < 20_000, 'learn waited for the program instead of stopping it');
});

t('TMPDIR holds the trace file while it is read, and nothing is left there after', async () => {
  const tmp = join(s.dir, 'tmp');
  mkdirSync(tmp);
  const r = await runLearn(['--db', s.db, '--quiet', '--no-policy', '--', 'ls', '/usr'], { env: { TMPDIR: tmp } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.equal(readdirSync(tmp), []);
  const missing = await runLearn(['--db', s.db, '--', 'ls'], { env: { TMPDIR: join(s.dir, 'no-such-dir') } });
  assert.is(missing.exitCode, 2);
  assert.match(missing.stderr, /^learn: cannot create the trace file in .*no-such-dir: ENOENT\n  hint: point TMPDIR at a writable directory$/);
});

t('LEARN_DB chooses the store; learn --help lists every subcommand', async () => {
  const other = join(s.dir, 'env.db');
  const r = await runLearn(['--quiet', '--', '/bin/true'], { env: { LEARN_DB: other } });
  assert.is(r.exitCode, 0, r.stderr);
  assert.is(r.stderr, '');
  const runs = await runLearn(['runs', '--json'], { env: { LEARN_DB: other } });
  assert.match(runs.stdout, '"/bin/true"');
  const help = await runLearn(['--help']);
  for (const cmd of ['trace', 'from-strace', 'runs', 'show']) assert.match(help.stdout, new RegExp(`\\n  ${cmd} `));
});

t.run();
