import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH } from '../../src/abi/arch.js';
import { retToAction } from '../../src/bpf/actions.js';
import { decodeProgram } from '../../src/bpf/encode.js';
import { execute } from '../../src/bpf/interp.js';
import { validate } from '../../src/bpf/validate.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseAction } from '../../src/cli/policy-options.js';
import { parseFormats } from '../../src/cli/policy-formats.js';
import { openStore } from '../../src/store/open.js';
import { beginRun } from '../../src/store/writer.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { validateOciSeccomp } from '../helpers/oci-schema.js';

const t = suite('cli/learn policy');
let dir = '';
let db = '';

/** A real store with one profile `app` (a few calls, one netlink socket) and an empty profile `idle`. */
function seed(): void {
  dir = mkdtempSync(join(tmpdir(), 'learn-policy-cli-'));
  db = join(dir, 'learn.db');
  const store = openStore(db);
  const obs = (name: string, shape = '') => ({
    phase: 'host' as const, arch: 'x86_64' as const, nr: syscallNumber('x86_64', name)!, name, shape, count: 2, firstRaw: '', firstLine: 1,
  });
  const app = beginRun(store, { profile: 'app', command: ['app'], cwd: dir, source: 'strace', startedAt: new Date(0) });
  const counts = { events: 12, parseErrors: 0 };
  app.write({ observations: [obs('read'), obs('write'), obs('exit_group'), obs('socket', '16,524291,9'), obs('mprotect', '1')], processes: [], events: [], split: { runtime: null, split: null } }, counts);
  app.finish({ status: 'complete', endedAt: new Date(0), exitCode: 0, signal: null }, counts);
  const idle = beginRun(store, { profile: 'idle', command: ['idle'], cwd: dir, source: 'strace', startedAt: new Date(0) });
  idle.finish({ status: 'complete', endedAt: new Date(0), exitCode: 0, signal: null }, { events: 0, parseErrors: 0 });
  store.close();
}

async function run(...args: string[]) {
  const io = captureIo(dir, { ...process.env, LEARN_DB: db });
  const exitCode = await main(['node', 'learn', ...args], io);
  return { exitCode, stdout: io.stdout(), stderr: io.stderr() };
}

t.before(seed);
t.after(() => rmSync(dir, { recursive: true, force: true }));

t('writes every requested format, named after the profile', async () => {
  const r = await run('policy', 'app', '--out', 'out', '--format', 'kafel,oci,systemd,firejail,json', '--default-action', 'ERRNO(EPERM)');
  assert.is(r.exitCode, 0, r.stderr);
  const read = (ext: string) => readFileSync(join(dir, 'out', `app.${ext}`), 'utf8');
  const kafel = read('policy');
  assert.match(kafel, /^\/\/ seccomp-learn .*profile 'app'/);
  assert.match(kafel, /runs: 1; events: 12; catalog: default/);
  assert.match(kafel, /domain == \/\*AF_NETLINK\*\/16/, 'an audit netlink socket is in no category: an explicit rule');
  // An OCI profile must let runc's init finish after it loads the filter: the measured block says so.
  assert.match(kafel, /^USE .*app_extra, runc_after_filter DEFAULT ERRNO\(1\)$/m);
  assert.match(kafel, /^\/\/ Measured on runc version .*policies\/runtimes\/runc\.json/m);
  assert.equal(validateOciSeccomp(JSON.parse(read('oci.json'))), []);
  assert.match(read('systemd.conf'), /^SystemCallErrorNumber=EPERM$/m);
  assert.match(read('firejail'), /^seccomp\.keep .*socket/m);
  assert.is(JSON.parse(read('json')).profile, 'app');
  // What the list formats widened is said on stderr.
  assert.match(r.stderr, /systemd: socket: .*cannot check arguments/);
});

t('default formats: the kafel policy and the compiled filter, which decides as the policy does', async () => {
  const r = await run('policy', 'app', '--out', 'dflt');
  assert.is(r.exitCode, 0, r.stderr);
  const bytes = new Uint8Array(readFileSync(join(dir, 'dflt', 'app.bpf')));
  assert.ok(readFileSync(join(dir, 'dflt', 'app.policy'), 'utf8').includes('DEFAULT KILL'));
  const program = validate(decodeProgram(bytes));
  const verdict = (name: string, args: bigint[] = []) =>
    retToAction(execute(program, { nr: syscallNumber('x86_64', name)!, arch: AUDIT_ARCH.x86_64, args }).verdict)?.kind;
  assert.is(verdict('read'), 'allow');
  assert.is(verdict('socket', [16n, 3n, 9n]), 'allow');
  assert.is(verdict('socket', [16n, 3n, 4n]), 'kill-process', 'only the observed netlink protocol');
  assert.is(verdict('socket', [17n, 3n, 0n]), 'kill-process');
  assert.is(verdict('ptrace'), 'kill-process');
});

t('bad input: unknown catalog, unknown syscall in a user catalog, empty or unknown profile → exit 2', async () => {
  const unknownCatalog = await run('policy', 'app', '--catalog', 'defualt');
  assert.is(unknownCatalog.exitCode, 2);
  assert.match(unknownCatalog.stderr, /unknown catalog 'defualt'/);
  writeFileSync(join(dir, 'mine.policy'), 'POLICY Mine {\n  ALLOW { read, opnat }\n}\n');
  const badCatalog = await run('policy', 'app', '--catalog', join(dir, 'mine.policy'));
  assert.is(badCatalog.exitCode, 2);
  assert.match(badCatalog.stderr, /mine\.policy:2:17: unknown syscall `opnat`/);
  const empty = await run('policy', 'idle');
  assert.is(empty.exitCode, 2);
  assert.match(empty.stderr, /profile 'idle' has no observed syscalls/);
  const missing = await run('policy', 'nobody');
  assert.is(missing.exitCode, 2);
  assert.match(missing.stderr, /no profile named 'nobody'/);
  for (const r of [unknownCatalog, badCatalog, empty, missing]) assert.not.match(r.stderr, /at .*\.js:\d+/);
});

t('options: formats and actions are checked', async () => {
  assert.equal(parseFormats('kafel, oci,kafel'), ['kafel', 'oci']);
  assert.throws(() => parseFormats('kafel,yaml'), /unknown format 'yaml'/);
  assert.equal(parseAction('errno(13)'), { kind: 'errno', errno: 13 });
  assert.equal(parseAction('KILL'), { kind: 'kill-process' });
  assert.throws(() => parseAction('ERRNO(EWHAT)'), /not an action/);
  const r = await run('policy', 'app', '--max-excess', 'many');
  assert.is(r.exitCode, 2);
});

t.run();
