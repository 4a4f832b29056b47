import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { StoreError } from '../../src/errors.js';
import { openStore } from '../../src/store/open.js';
import { precheckStore } from '../../src/store/path.js';
import { listProfiles, listRuns, profileObservations, profileProcesses, runObservations, findProfile } from '../../src/store/queries.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { beginRun, type RunStart } from '../../src/store/writer.js';
import type { SyscallEvent } from '../../src/trace/events.js';
import { createAggregator } from '../../src/trace/ingest.js';
import { scratch } from '../helpers/learn-cli.js';

const t = suite('store/writer');
const s = scratch('learn-store-');
t.after(() => s.cleanup());

function call(pid: number, name: string, nr: number, args: string[], ret: string | null, arch: 'x86_64' | 'i386' = 'x86_64'): SyscallEvent {
  return { kind: 'syscall', pid, arch, nr, name, args, ret, errno: null, line: 1, raw: `${name}(${args.join(', ')}) = ${ret}` };
}

const start = (profile: string): RunStart => ({ profile, command: ['prog', '-x'], cwd: '/tmp', source: 'strace', startedAt: new Date(0) });

t('a new store is at the latest schema version, in WAL mode, with foreign keys on', () => {
  const store = openStore(join(s.dir, 'fresh.db'));
  assert.is(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  assert.is(SCHEMA_VERSION, MIGRATIONS.length);
  assert.is(store.db.pragma('journal_mode', { simple: true }), 'wal');
  assert.is(store.db.pragma('foreign_keys', { simple: true }), 1);
  store.close();
});

t('batches add up: counts accumulate per (arch, nr, shape), first occurrence is kept', () => {
  const store = openStore(join(s.dir, 'batches.db'));
  const writer = beginRun(store, start('prog'));
  const agg = createAggregator();
  agg.add(call(10, 'execve', 59, ['"/usr/bin/prog"', '["prog"]', '0x7ff /* 3 vars */'], '0'));
  agg.add(call(10, 'getpid', 39, [], '10'));
  agg.add(call(10, 'getpid', 20, [], '10', 'i386'));
  writer.write(agg.takeBatch(), { events: 3, parseErrors: 0 });
  agg.add(call(10, 'getpid', 39, [], '10'));
  agg.add(call(10, 'clone', 56, ['child_stack=NULL', 'flags=CLONE_CHILD_SETTID|SIGCHLD'], '11'));
  agg.add(call(10, 'clone', 56, ['child_stack=0x7f', 'flags=CLONE_VM|CLONE_THREAD|CLONE_SIGHAND'], '12'));
  writer.write(agg.takeBatch(), { events: 6, parseErrors: 1 });
  writer.finish({ status: 'complete', endedAt: new Date(1000), exitCode: 0, signal: null }, { events: 6, parseErrors: 1 });

  const obs = runObservations(store.db, writer.runId);
  const getpid64 = obs.find((o) => o.arch === 'x86_64' && o.name === 'getpid');
  assert.is(getpid64?.count, 2);
  assert.is(getpid64?.nr, 39);
  assert.is(obs.find((o) => o.arch === 'i386')?.nr, 20);
  const clones = obs.filter((o) => o.name === 'clone');
  assert.ok(clones.length >= 1);
  assert.is(clones.reduce((n, o) => n + o.count, 0), 2);
  assert.is(obs.find((o) => o.name === 'execve')?.firstRaw, '"/usr/bin/prog", ["prog"], 0x7ff /* 3 vars */');

  const procs = profileProcesses(store.db, 'prog');
  assert.equal(procs.map((p) => [p.pid, p.ppid, p.exe, p.thread]), [[10, null, '/usr/bin/prog', false], [11, 10, null, false], [12, 10, null, true]]);
  const [run] = listRuns(store.db, 'prog');
  assert.equal(run?.command, ['prog', '-x']);
  assert.is(run?.status, 'complete');
  assert.is(run?.events, 6);
  assert.is(run?.parseErrors, 1);
  assert.is(run?.syscalls, 4);
  store.close();
});

t('profileObservations is the union over runs: counts summed, run ids listed', () => {
  const store = openStore(join(s.dir, 'union.db'));
  for (const n of [1, 2]) {
    const writer = beginRun(store, start('u'));
    const agg = createAggregator();
    for (let i = 0; i < n; i++) agg.add(call(1, 'read', 0, ['3', '""', '1'], '1'));
    if (n === 2) agg.add(call(1, 'write', 1, ['1', '"x"', '1'], '1'));
    writer.write(agg.takeBatch(), { events: n, parseErrors: 0 });
    writer.finish({ status: 'complete', endedAt: new Date(), exitCode: 0, signal: null }, { events: n, parseErrors: 0 });
  }
  const obs = profileObservations(store.db, 'u');
  assert.equal(obs.map((o) => [o.name, o.count, o.runIds]), [['read', 3, [1, 2]], ['write', 1, [2]]]);
  assert.equal(listProfiles(store.db).map((p) => [p.name, p.runs, p.events]), [['u', 2, 3]]);
  assert.is(findProfile(store.db, 'u')?.name, 'u');
  assert.is(findProfile(store.db, 'nope'), undefined);
  store.close();
});

t('discard removes the run and a profile only it created', () => {
  const store = openStore(join(s.dir, 'discard.db'));
  const writer = beginRun(store, start('gone'));
  writer.discard();
  assert.equal(listRuns(store.db), []);
  assert.is(findProfile(store.db, 'gone'), undefined);
  store.close();
});

t('a running run whose owner is dead is marked incomplete on open; a live owner keeps it running', () => {
  const path = join(s.dir, 'stale.db');
  const store = openStore(path);
  const mine = beginRun(store, start('live'));
  const dead = beginRun(store, start('dead'));
  // pid 1's start time never matches ours: a stand-in for a writer that died and whose pid was reused.
  store.db.prepare(`UPDATE runs SET owner_pid = 1 WHERE id = ?`).run(dead.runId);
  store.close();
  const again = openStore(path);
  const status = Object.fromEntries(listRuns(again.db).map((r) => [r.profile, r.status]));
  assert.equal(status, { dead: 'incomplete', live: 'running' });
  void mine;
  again.close();
});

t('a file that is not SQLite, a newer schema, an unwritable path: StoreError', () => {
  const junk = join(s.dir, 'junk.db');
  writeFileSync(junk, 'x'.repeat(4096));
  assert.throws(() => openStore(junk), (e: unknown) => e instanceof StoreError && /not a SQLite database/.test(e.message));
  const newer = join(s.dir, 'newer.db');
  const future = openStore(newer);
  future.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  future.close();
  assert.throws(() => openStore(newer), (e: unknown) => e instanceof StoreError && /newer than this learn/.test(e.message));
  assert.throws(() => openStore('/proc/no/such/dir/learn.db'), (e: unknown) => e instanceof StoreError);
});

t('precheckStore: what opening would refuse, seen without SQLite', () => {
  const junk = join(s.dir, 'pre-junk.db');
  writeFileSync(junk, 'x'.repeat(100));
  assert.throws(() => precheckStore(junk), (e: unknown) => e instanceof StoreError && /not a SQLite database/.test(e.message));
  const dir = join(s.dir, 'pre-dir.db');
  mkdirSync(dir);
  assert.throws(() => precheckStore(dir), (e: unknown) => e instanceof StoreError && /it is a directory/.test(e.message));
  const file = join(s.dir, 'pre-file');
  writeFileSync(file, '');
  assert.throws(() => precheckStore(join(file, 'learn.db')), (e: unknown) => e instanceof StoreError && /is not a directory/.test(e.message));
  // Fine: a new file in new directories, an empty file, a real store.
  precheckStore(join(s.dir, 'new', 'nested', 'learn.db'));
  const empty = join(s.dir, 'pre-empty.db');
  writeFileSync(empty, '');
  precheckStore(empty);
  const real = join(s.dir, 'pre-real.db');
  openStore(real).close();
  precheckStore(real);
});

t.run();
