// Issue 11, security 3: names chosen by a program (its file name, an audit record's exe) reach file names, file
// headers and the terminal. A newline in a binary's name must not add a line to a systemd drop-in (it added
// `ExecStartPre=+…`, which systemd would run as root), an ESC must not reach the terminal, and a name too long
// for a file name must be refused or shortened, not crash.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('e2e/security-names');
const s = scratch('learn-sec-names-');
t.after(() => s.cleanup());
const hasAnalyze = (await execa('systemd-analyze', ['--version'], { reject: false })).exitCode === 0;
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/; // what must not reach a terminal (tab and newline are the report's own)

/** A copy of /bin/true under `name`, in a directory of its own. */
function trueNamed(name: string): string {
  const dir = join(s.dir, `bin-${readdirSync(s.dir).length}`);
  mkdirSync(dir);
  copyFileSync('/bin/true', join(dir, name));
  return dir;
}

/** Drops `conf` into a unit and runs `systemd-analyze verify`; a line it added that runs a missing command fails. */
async function verifyDropIn(conf: string): Promise<{ exitCode: number | undefined; stderr: string }> {
  const units = join(s.dir, `units-${readdirSync(s.dir).length}`);
  mkdirSync(join(units, 't.service.d'), { recursive: true });
  writeFileSync(join(units, 't.service'), '[Unit]\nDescription=t\n[Service]\nExecStart=/bin/true\n');
  writeFileSync(join(units, 't.service.d', 'learn.conf'), conf);
  const r = await execa('systemd-analyze', ['verify', join(units, 't.service')], { reject: false, env: { SYSTEMD_UNIT_PATH: `${units}:` } });
  return { exitCode: r.exitCode, stderr: String(r.stderr) };
}

const INJECTED = 'nginx\n[Service]\nExecStartPre=+nonexistent-pwn\n#';

t('a newline in a traced binary\'s name adds no line to the systemd drop-in', async () => {
  const dir = trueNamed(INJECTED);
  const out = join(s.dir, 'out-inject');
  const r = await runLearn(['--db', s.db, '--format', 'systemd,kafel,firejail', '--out', out, '--', `./${INJECTED}`], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  const files = readdirSync(out);
  const conf = files.find((f) => f.endsWith('.systemd.conf'));
  assert.ok(conf !== undefined && !conf.includes('\n'), `file names: ${JSON.stringify(files)}`);
  const text = readFileSync(join(out, conf), 'utf8');
  assert.not.match(text, /^ExecStartPre/m);
  assert.equal(text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('SystemCall') && l !== '[Service]'), []);
  for (const f of files) assert.not.match(readFileSync(join(out, f), 'utf8'), /^\[Service\]\nExecStartPre/m, f);
  if (!hasAnalyze) return console.log('  (systemd-analyze missing: the drop-in was checked line by line only)');
  const verified = await verifyDropIn(text);
  assert.is(verified.exitCode, 0, verified.stderr);
});

t('the systemd-analyze oracle sees an injected line (the check above can fail)', async () => {
  if (!hasAnalyze) return console.log('  skipped: systemd-analyze is not installed');
  const verified = await verifyDropIn(`# learned policy for profile '${INJECTED}'\n[Service]\nSystemCallFilter=read\n`);
  assert.is.not(verified.exitCode, 0);
  assert.match(verified.stderr, 'nonexistent-pwn');
});

t('an ESC sequence in a name never reaches the terminal; a --name with one is refused', async () => {
  const evil = '\x1b]0;owned\x07\x1b[2Jls';
  const dir = trueNamed(evil);
  const r = await runLearn(['--db', s.db, '--out', join(s.dir, 'out-esc'), '--', `./${evil}`], { cwd: dir });
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.match(r.stderr, CONTROL);
  assert.not.match(r.stdout, CONTROL);
  const runs = await runLearn(['runs', '--db', s.db]);
  assert.not.match(runs.stdout, CONTROL);
  const refused = await runLearn(['--db', s.db, '--name', evil, '--', '/bin/true']);
  assert.is(refused.exitCode, 2);
  assert.match(refused.stderr, /cannot be used: it holds control characters/);
  assert.not.match(refused.stderr, CONTROL);
});

t('a 300-character --name is refused before the program runs; a 250-character binary name is shortened', async () => {
  const long = 'n'.repeat(300);
  const marker = join(s.dir, 'ran');
  const refused = await runLearn(['--db', s.db, '--name', long, '--', 'sh', '-c', `touch ${marker}`]);
  assert.is(refused.exitCode, 2, refused.stderr);
  assert.match(refused.stderr, /longer than 200 bytes/);
  assert.is(refused.stderr.trim().split('\n').length, 2, 'one line and a hint');
  assert.not.ok(readdirSync(s.dir).includes('ran'), 'the program ran');
  const name = 'b'.repeat(250);
  const out = join(s.dir, 'out-long');
  const r = await runLearn(['--db', s.db, '--out', out, '--', `./${name}`], { cwd: trueNamed(name) });
  assert.is(r.exitCode, 0, r.stderr);
  assert.equal(readdirSync(out).sort(), [`${'b'.repeat(200)}.bpf`, `${'b'.repeat(200)}.policy`]);
});

t('audit records of a binary with a newline and ESC in its exe: a safe profile, file and report', async () => {
  const exe = `/home/eve/nginx\n[Service]\nExecStartPre=+nonexistent-pwn\x1b[2J`;
  const hex = Buffer.from(exe).toString('hex').toUpperCase(); // the kernel hex-encodes such values
  const line = `5,346,10250726542,-;audit: type=1326 audit(1795420386.751:3): auid=1000 uid=1000 gid=1000 ses=1 pid=14156 comm="nginx" exe=${hex} sig=0 arch=c000003e syscall=110 compat=0 ip=0x7f0a016ee829 code=0x7ffc0000\n`;
  const records = join(s.dir, 'records.txt');
  writeFileSync(records, line);
  const out = join(s.dir, 'out-audit');
  const r = await runLearn(['from-audit', '--db', join(s.dir, 'audit.db'), '--format', 'systemd', '--out', out, records]);
  assert.is(r.exitCode, 0, r.stderr);
  assert.not.match(r.stdout + r.stderr, CONTROL);
  const [conf] = readdirSync(out);
  assert.ok(conf !== undefined);
  assert.not.match(readFileSync(join(out, conf), 'utf8'), /^ExecStartPre/m);
});

t.run();
