// kill -9 of learn mid-trace: the store still opens, the run is marked incomplete, every batch committed
// before the kill is there, and strace does not outlive learn.
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { observationsOf, readStore, runLearn, scratch, spawnLearn } from '../helpers/learn-cli.js';
import { childrenOf } from '../helpers/processes.js';

const t = suite('e2e/trace-kill9');
const s = scratch();
t.after(() => s.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t('kill -9 mid-trace leaves a valid store with an incomplete run and its committed observations, and strace and the program end with learn', async () => {
  const before = await runLearn(['--db', s.db, '--quiet', '--name', 'loop', '--', '/bin/true']);
  assert.is(before.exitCode, 0, before.stderr);
  const child = spawnLearn(['--db', s.db, '--quiet', '--name', 'loop', '--', 'sh', '-c', 'while :; do ls / >/dev/null; done']);
  const learnPid = child.pid as number;
  let committed = 0;
  for (let i = 0; i < 100 && committed === 0; i++) {
    await sleep(100);
    committed = readStore(s.db, (d) => (d.prepare(`SELECT coalesce(max(events), 0) AS n FROM runs WHERE id = 2`).get() as { n: number }).n);
  }
  assert.ok(committed > 0, 'no batch was committed');
  // learn's children: strace, and (as root) the guard of the program's cgroup
  const strace = childrenOf(learnPid).filter((pid) => readlinkSync(`/proc/${pid}/exe`).endsWith('/strace'));
  assert.is(strace.length, 1, 'learn runs one strace');
  const loop = strace.flatMap(childrenOf);
  assert.ok(loop.length > 0, 'the traced program is running');
  process.kill(learnPid, 'SIGKILL');
  // strace gets the parent-death signal and stops tracing; strace 6.1 has no --kill-on-exit, so the program it
  // started would run on untraced: as root the unit's guard kills the whole cgroup once learn is gone.
  const alive = (pids: number[]) => pids.filter((pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')));
  for (let i = 0; i < 50 && alive([...strace, ...loop]).length > 0; i++) await sleep(100);
  const tracer = alive(strace);
  const program = alive(loop);
  for (const pid of [...program, ...tracer]) process.kill(pid, 'SIGKILL');
  assert.equal(tracer, [], 'strace outlived learn');
  if (process.getuid?.() === 0) assert.equal(program, [], 'the traced program outlived learn');
  const ended = await child;
  assert.is(ended.signal, 'SIGKILL');

  const runs = await runLearn(['runs', '--db', s.db, '--json']);
  assert.is(runs.exitCode, 0, runs.stderr);
  const listed = JSON.parse(runs.stdout) as { runs: { id: number; status: string; events: number }[] };
  assert.equal(listed.runs.map((r) => [r.id, r.status]), [[1, 'complete'], [2, 'incomplete']]);
  const second = listed.runs[1];
  assert.ok(second !== undefined && second.events >= committed);
  const obs = observationsOf(s.db, 2);
  const total = obs.reduce((n, o) => n + o.count, 0);
  assert.is(total, second?.events, 'observation counts match the committed event count');
  assert.ok(obs.some((o) => o.name === 'execve'));
  const integrity = readStore(s.db, (d) => d.pragma('integrity_check', { simple: true }));
  assert.is(integrity, 'ok');
});

t.run();
