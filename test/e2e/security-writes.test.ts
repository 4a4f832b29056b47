// Issue 11, security 5 and the --out robustness item: outputs are written as temp file + fsync + rename, all
// formats of a policy together or none; never through a symbolic link unless asked; a dangling link at the store
// path creates nothing; and an --out that cannot be written is found before the program starts.
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FIXTURES, LEARN, runLearn, scratch } from '../helpers/learn-cli.js';
import { asNobody, NOBODY } from '../helpers/processes.js';

const t = suite('e2e/security-writes');
const s = scratch('learn-sec-writes-');
chmodSync(s.dir, 0o755);
const canMount = (await execa('unshare', ['-m', 'sh', '-c', `mount -t tmpfs tmpfs ${s.dir}`], { reject: false })).exitCode === 0;

t.before(async () => {
  const r = await runLearn(['--db', s.db, '--name', 'mk', '--no-policy', '--', '/bin/true']);
  assert.is(r.exitCode, 0, r.stderr);
});
t.after(() => s.cleanup());

/** Runs a shell script in a mount namespace of its own: mounts made there vanish with it. $LEARN runs learn. */
async function inMountNamespace(script: string): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const r = await execa('unshare', ['-m', 'sh', '-c', script], {
    reject: false, stdin: 'ignore', env: { ...process.env, NO_COLOR: '1', LEARN: `${process.execPath} ${LEARN}`, DB: s.db },
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

t('a symlink another user planted at an output path is not written through', async () => {
  const shared = join(s.dir, 'shared');
  mkdirSync(shared);
  chownSync(shared, NOBODY, NOBODY);
  const victim = join(s.dir, 'victim.conf');
  writeFileSync(victim, 'root-owned content\n');
  await asNobody(['ln', '-s', victim, join(shared, 'mk.policy')]);
  const r = await runLearn(['policy', 'mk', '--db', s.db, '--out', shared]);
  assert.is(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, `learn: ${join(shared, 'mk.policy')} is a symbolic link: not writing through it`);
  assert.is(readFileSync(victim, 'utf8'), 'root-owned content\n');
  assert.not.ok(existsSync(join(shared, 'mk.bpf')), 'no format is written when one cannot be');
  assert.equal(readdirSync(shared).filter((f) => f.endsWith('.tmp')), []);
});

t('--follow-symlinks writes to the link\'s target, and the link stays a link', async () => {
  const out = join(s.dir, 'linked');
  mkdirSync(out);
  const target = join(s.dir, 'real.policy');
  writeFileSync(target, 'old\n');
  symlinkSync(target, join(out, 'mk.policy'));
  const r = await runLearn(['policy', 'mk', '--db', s.db, '--out', out, '--follow-symlinks']);
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(readFileSync(target, 'utf8'), /^USE /m);
  assert.ok(lstatSync(join(out, 'mk.policy')).isSymbolicLink());
  assert.is(readlinkSync(join(out, 'mk.policy')), target);
});

t('compile -o refuses a symlink too; a written file replaces the old one whole', async () => {
  const policy = join(s.dir, 'p.policy');
  writeFileSync(policy, 'USE Basic DEFAULT KILL\n');
  const victim = join(s.dir, 'victim.bin');
  writeFileSync(victim, 'keep');
  symlinkSync(victim, join(s.dir, 'link.bpf'));
  const r = await runLearn(['compile', policy, '-o', join(s.dir, 'link.bpf')]);
  assert.is(r.exitCode, 1);
  assert.is(readFileSync(victim, 'utf8'), 'keep');
  const ok = await runLearn(['compile', policy, '-o', join(s.dir, 'p.bpf')]);
  assert.is(ok.exitCode, 0, ok.stderr);
  assert.is(readFileSync(join(s.dir, 'p.bpf')).length % 8, 0);
  chmodSync(join(s.dir, 'p.bpf'), 0o640);
  assert.is((await runLearn(['compile', policy, '-o', join(s.dir, 'p.bpf')])).exitCode, 0);
  assert.is(statSync(join(s.dir, 'p.bpf')).mode & 0o777, 0o640, 'a replaced file keeps its permissions');
});

t('a dangling symlink at the store path does not create its target', async () => {
  const shared = join(s.dir, 'shared-db');
  mkdirSync(shared);
  chownSync(shared, NOBODY, NOBODY);
  const target = join(s.dir, 'created-by-root.db');
  await asNobody(['ln', '-s', target, join(shared, 'learn.db')]);
  const db = join(shared, 'learn.db');
  for (const args of [['--db', db, '--', '/bin/true'], ['from-audit', '--db', db, '--no-policy', join(FIXTURES, 'audit', 'kmsg.raw.txt')]]) {
    const r = await runLearn(args);
    assert.is(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, 'is a symbolic link to a missing file: not creating its target');
    assert.not.ok(existsSync(target), `${args.join(' ')} created the link's target`);
  }
});

t('a full file system leaves the previous policy files as they were, and no temp file', async () => {
  if (!canMount) return console.log('  skipped: cannot mount a tmpfs in a mount namespace here');
  const out = join(s.dir, 'full');
  mkdirSync(out);
  // Write once, then fill the tmpfs up to two pages: the probe and the small policy file still fit, the JSON does not.
  const r = await inMountNamespace(`
    set -e
    mount -t tmpfs -o size=512k tmpfs ${out}
    $LEARN policy mk --db "$DB" --out ${out} --format kafel,bpf,json 2>/dev/null
    for f in ${out}/*; do echo "$f $(sha256sum < "$f")"; done > ${s.dir}/before.txt
    free=$(df -B4096 --output=avail ${out} | tail -1)
    dd if=/dev/zero of=${out}/fill bs=4096 count=$((free - 2)) 2>/dev/null
    set +e
    $LEARN policy mk --db "$DB" --out ${out} --format kafel,bpf,json --strict --default-action 'ERRNO(1)'
    echo "exit $?"
    for f in ${out}/*; do [ "$f" = ${out}/fill ] || echo "$f $(sha256sum < "$f")"; done > ${s.dir}/after.txt
    ls -a ${out}
  `);
  assert.match(r.stdout, /^exit 1$/m, r.stderr);
  assert.match(r.stderr, /learn: cannot write .*mk\.json: ENOSPC \(no space left on the device\)/);
  assert.is(r.stderr.split('\n').filter((l) => l.startsWith('learn: ')).length, 1, r.stderr);
  assert.is(readFileSync(join(s.dir, 'after.txt'), 'utf8'), readFileSync(join(s.dir, 'before.txt'), 'utf8'));
  assert.not.match(r.stdout, /\.tmp/);
});

t('--out on a read-only or full file system: one line naming the path and cause, before the program runs', async () => {
  if (!canMount) return console.log('  skipped: cannot mount a tmpfs in a mount namespace here');
  const marker = join(s.dir, 'ran');
  for (const [what, mount, cause] of [
    ['read-only', 'mount -t tmpfs -o ro tmpfs "$OUT"', 'EROFS (read-only file system)'],
    ['full', 'mount -t tmpfs -o size=64k tmpfs "$OUT" && dd if=/dev/zero of="$OUT/fill" bs=4096 2>/dev/null; true', 'ENOSPC (no space left on the device)'],
  ] as const) {
    const out = join(s.dir, `out-${what}`);
    mkdirSync(out);
    const r = await inMountNamespace(`OUT=${out}; ${mount}; $LEARN --db "$DB" --out "$OUT/policies" -- sh -c 'touch ${marker}'; echo "exit $?"`);
    assert.match(r.stdout, /^exit 1$/m, `${what}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`learn: cannot write ${join(out, 'policies')}: ${cause}`) || r.stderr.includes(`learn: cannot write into ${join(out, 'policies')}: ${cause}`), r.stderr);
    assert.not.match(r.stderr, 'internal error');
    assert.not.ok(existsSync(marker), `${what}: the program ran`);
  }
});

t.run();
