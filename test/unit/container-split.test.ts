// The container split of a traced runtime: real runc traces (fixtures/strace/runc_run.*), a hand-made trace
// for the order strace prints a container's fork in, and the store keeping the phases.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { openStore } from '../../src/store/open.js';
import { listRuns, profileObservations, runObservations } from '../../src/store/queries.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { beginRun } from '../../src/store/writer.js';
import { createStraceParser } from '../../src/trace/assemble.js';
import { createPhaser, type Phase } from '../../src/trace/container-split.js';
import { createAggregator, type IngestBatch } from '../../src/trace/ingest.js';
import { FIXTURES } from '../helpers/learn-cli.js';

const t = suite('trace/container-split');

function ingest(lines: readonly string[]): IngestBatch {
  const parser = createStraceParser();
  const aggregator = createAggregator();
  for (const line of lines) for (const e of parser.feed(line)) aggregator.add(e);
  for (const e of parser.finish()) aggregator.add(e);
  aggregator.end();
  return aggregator.takeBatch();
}

function fixture(name: string): IngestBatch {
  return ingest(readFileSync(join(FIXTURES, 'strace', name), 'utf8').split('\n'));
}

const names = (b: IngestBatch, phase: Phase) => [...new Set(b.observations.filter((o) => o.phase === phase).map((o) => o.name))].sort();
const SETUP = ['mount', 'pivot_root', 'unshare', 'umount2', 'sethostname'];

t('runc with a filter in config.json: split at its prctl(PR_SET_SECCOMP); runc\'s own calls after it are the runtime phase', () => {
  const b = fixture('runc_run.seccomp.f_n_pidns.txt');
  assert.equal(b.split, { runtime: 'runc', split: 'filter' });
  const runtime = names(b, 'runtime');
  for (const call of ['execve', 'close', 'openat', 'write']) assert.ok(runtime.includes(call), `${call} in ${runtime}`);
  const container = names(b, 'container');
  // sh's pipeline: a pipe, two children (ls, wc) whose calls are the container's too
  for (const call of ['pipe2', 'wait4', 'getdents64', 'read']) assert.ok(container.includes(call), `${call} in ${container}`);
  for (const call of SETUP) {
    assert.not.ok(container.includes(call) || runtime.includes(call), `${call} is setup`);
    assert.ok(names(b, 'host').includes(call), `${call} in the setup`);
  }
});

t('runc without a seccomp section: split at the entrypoint\'s execve, no runtime phase; the same container calls', () => {
  const withFilter = fixture('runc_run.seccomp.f_n_pidns.txt');
  const b = fixture('runc_run.noseccomp.f_n_pidns.txt');
  assert.equal(b.split, { runtime: 'runc', split: 'execve' });
  assert.equal(names(b, 'runtime'), []);
  assert.equal(names(b, 'container'), names(withFilter, 'container'));
});

t('a trace without a runtime is all host calls', () => {
  const b = fixture('sh_pipe_bg.f_o.txt');
  assert.equal(b.split, { runtime: null, split: null });
  assert.ok(b.observations.every((o) => o.phase === 'host'));
});

// A container's shell forks: strace prints the child's first calls before the fork returns, and the fork
// returns the child's pid in the container's PID namespace with strace's own in a comment.
const FORK_IN_PIDNS = [
  '100 execve("/usr/sbin/runc", ["runc", "run", "x"], 0x1 /* 3 vars */) = 0',
  '100 clone(child_stack=NULL, flags=SIGCHLD) = 101',
  '101 execve("/proc/self/exe", ["runc", "init"], 0x1 /* 3 vars */) = 0',
  '101 seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, NULL) = -1 EFAULT (Bad address)',
  '101 mount("proc", "/proc", "proc", 0, NULL) = 0',
  '101 prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, {len=9, filter=0xc0000aff80}) = 0',
  '101 close(3) = 0',
  '101 execve("/bin/sh", ["sh", "-c", "ls"], 0x1 /* 3 vars */) = 0',
  '101 clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>',
  '102 getdents64(3, 0x1 /* 2 entries */, 32768) = 48',
  '101 <... clone resumed>) = 2 /* 102 in strace\'s PID NS */',
  '102 exit_group(0) = ?',
  '102 +++ exited with 0 +++',
  '101 wait4(-1, NULL, 0, NULL) = 2 /* 102 in strace\'s PID NS */',
];

t('a child printed before its fork returns, inside a PID namespace, is tied to the fork and gets its phase', () => {
  const b = ingest(FORK_IN_PIDNS);
  assert.equal(b.split, { runtime: 'runc', split: 'filter' });
  assert.equal(names(b, 'container'), ['clone', 'exit_group', 'getdents64', 'wait4']);
  assert.equal(names(b, 'runtime'), ['close', 'execve']);
  assert.equal(names(b, 'host'), ['clone', 'execve', 'mount', 'prctl', 'seccomp']);
  // the process table follows strace's numbers too
  assert.equal(b.processes.find((p) => p.pid === 102)?.ppid, 101);
});

t('the failed probes libseccomp makes (a NULL program) are no filter load', () => {
  const phaser = createPhaser();
  const parser = createStraceParser();
  for (const line of FORK_IN_PIDNS.slice(0, 5)) for (const e of parser.feed(line)) phaser.push(e, () => undefined);
  assert.is(phaser.info.split, null);
});

t('learn from-strace of a runc trace says where the container begins', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-split-'));
  try {
    const io = captureIo(dir, process.env);
    const code = await main(['node', 'learn', 'from-strace', '--db', join(dir, 'l.db'), join(FIXTURES, 'strace', 'runc_run.seccomp.f_n_pidns.txt')], io);
    assert.is(code, 0, io.stderr());
    assert.match(io.stderr(), /container run under runc: split where its init loaded the filter/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('the store keeps both parts; the learned part of a container run is its container phase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-split-'));
  try {
    const store = openStore(join(dir, 'l.db'));
    const w = beginRun(store, { profile: 'box', command: ['runc'], cwd: dir, source: 'strace-file', startedAt: new Date(0) });
    w.write(ingest(FORK_IN_PIDNS), { events: 14, parseErrors: 0 });
    w.finish({ status: 'complete', endedAt: new Date(0), exitCode: 0, signal: null }, { events: 14, parseErrors: 0 });
    const [run] = listRuns(store.db, 'box');
    assert.is(run?.containerRuntime, 'runc');
    assert.is(run?.containerSplit, 'filter');
    assert.equal(profileObservations(store.db, 'box').map((o) => o.name), ['clone', 'exit_group', 'getdents64', 'wait4']);
    assert.equal(runObservations(store.db, run!.id, 'host').map((o) => o.name), ['clone', 'execve', 'mount', 'prctl', 'seccomp']);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('a store of schema 2 migrates: its observations become host calls, its runs no container runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-split-'));
  try {
    const path = join(dir, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old.exec(`INSERT INTO profiles(id, name) VALUES (1, 'ls');
      INSERT INTO runs(id, profile_id, command, cwd, source, started_at, status) VALUES (1, 1, '["ls"]', '/', 'strace', '2026-01-01', 'complete');
      INSERT INTO observations(run_id, arch, nr, name, shape, count, first_raw, first_line) VALUES (1, 'x86_64', 0, 'read', '', 3, '', 1);`);
    old.close();
    const store = openStore(path);
    assert.equal(profileObservations(store.db, 'ls').map((o) => [o.name, o.count]), [['read', 3]]);
    assert.equal(profileObservations(store.db, 'ls', 'host').map((o) => o.name), ['read']);
    assert.is(listRuns(store.db, 'ls')[0]?.containerSplit, null);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
