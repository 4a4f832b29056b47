// `learn -- CMD` against an independent `strace -f -c` of the same command: same syscall names, same counts
// (exact for deterministic programs, ±10 % for racy ones), and i386 calls kept apart from x86_64 ones.
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { liveI386 } from '../helpers/ia32.js';
import {
  FIXTURES, comparableCounts, countDifferences, observationsOf, runLearn, runOf, scratch, straceCounts, summaryJson,
} from '../helpers/learn-cli.js';

const t = suite('e2e/trace-acceptance');
const s = scratch();
t.after(() => s.cleanup());

interface Case {
  readonly name: string;
  readonly argv: readonly string[];
  /** Allowed relative difference per name; 0 = exact. */
  readonly tolerance: number;
  readonly slack: number;
}

/** Present or not depending on where a SIGCHLD lands. */
const RACY = ['restart_syscall'];
/** Counts follow lock contention between threads, not the program's logic. */
const UNCOUNTED = ['futex'];

const PYTHON = '/usr/bin/python3';
const CASES: Case[] = [
  { name: '/bin/true', argv: ['/bin/true'], tolerance: 0, slack: 0 },
  { name: 'ls -la /usr', argv: ['ls', '-la', '/usr'], tolerance: 0, slack: 0 },
  { name: 'sh pipeline with a background job', argv: ['sh', '-c', 'ls | wc -l; sleep 0.1 & wait'], tolerance: 0.1, slack: 2 },
  { name: 'python threads + os.fork', argv: [PYTHON, join(FIXTURES, 'programs/threads.py')], tolerance: 0.1, slack: 3 },
];

async function traceJson(argv: readonly string[], name: string): Promise<{ runId: number; events: number; exitCode: number | undefined }> {
  const r = await runLearn(['--db', s.db, '--json', '--name', name, '--', ...argv], { cwd: s.dir });
  assert.is(r.exitCode, 0, r.stderr);
  const summary = summaryJson<{ runId: number; events: number; parseErrors: number; status: string }>(r.stdout);
  assert.is(summary.parseErrors, 0, `parse problems: ${r.stdout}`);
  assert.is(summary.status, 'complete');
  return { runId: summary.runId, events: summary.events, exitCode: r.exitCode };
}

for (const c of CASES) {
  t(`${c.name}: stored syscalls match strace -f -c`, async () => {
    const { runId } = await traceJson(c.argv, c.name);
    const stored = observationsOf(s.db, runId);
    const want = await straceCounts(c.argv, s.dir);
    const diffs = countDifferences(comparableCounts(stored), want, c.tolerance, c.slack, c.tolerance > 0 ? RACY : [], c.tolerance > 0 ? UNCOUNTED : []);
    assert.equal(diffs, [], diffs.join('\n'));
    assert.ok(stored.some((o) => o.name === 'execve' && o.arch === 'x86_64' && o.nr === 59));
    const run = runOf(s.db, runId);
    assert.is(run?.status, 'complete');
    assert.is(run?.exit_code, 0);
  });
}

(liveI386('e2e/trace-acceptance') ? t : t.skip)('int80: the i386 getpid is stored as arch i386, nr 20, apart from the x86_64 one', async () => {
  const exe = join(s.dir, 'int80');
  await execa('gcc', ['-O0', '-o', exe, join(FIXTURES, 'programs/int80.c')]);
  const { runId } = await traceJson([exe], 'int80');
  const stored = observationsOf(s.db, runId);
  const find = (arch: string, nr: number) => stored.find((o) => o.arch === arch && o.nr === nr);
  assert.is(find('i386', 20)?.name, 'getpid');
  assert.is(find('i386', 20)?.count, 1);
  assert.is(find('i386', 64)?.name, 'getppid');
  assert.is(find('i386', 4)?.name, 'write');
  assert.is(find('x86_64', 39)?.name, 'getpid');
  const diffs = countDifferences(comparableCounts(stored), await straceCounts([exe], s.dir));
  assert.equal(diffs, [], diffs.join('\n'));
});

t('processes: the fork and the threads of the python script are told apart', async () => {
  const r = await runLearn(['show', '--db', s.db, '--json', 'python threads + os.fork']);
  assert.is(r.exitCode, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as { processes: { pid: number; ppid: number | null; exe: string | null; thread: boolean }[] };
  const procs = shown.processes.filter((p) => !p.thread);
  const threads = shown.processes.filter((p) => p.thread);
  assert.is(procs.length, 2, JSON.stringify(shown.processes));
  assert.ok(threads.length >= 3, JSON.stringify(shown.processes));
  assert.is(procs[0]?.exe, PYTHON);
  assert.is(procs[1]?.ppid, procs[0]?.pid);
});

t.run();
