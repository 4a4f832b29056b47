// The OCI JSON loaded by a real runtime: runc runs a busybox workload under the profile learned from it,
// and a syscall the workload never made (mkdir) fails with the profile's errno.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { catalogCategories } from '../../src/learn/categories.js';
import { learnPolicy } from '../../src/learn/learn-policy.js';
import { emitOci } from '../../src/policy/emit/oci.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { validateOciSeccomp } from '../helpers/oci-schema.js';
import { hasTool, traceShapes } from '../helpers/trace-shapes.js';

const t = suite('e2e/oci under runc');
const BUSYBOX = '/bin/busybox';
const ready = process.getuid?.() === 0 && hasTool('runc') && hasTool('strace') && hasTool('busybox');
if (!ready) console.log('  skipped: needs root, runc, strace and busybox-static');
const it = ready ? t : t.skip;
const WORKLOAD = 'echo hello; ls /bin; cat /etc/hostname';

/** A bundle: rootfs from busybox-static, config.json from `runc spec` minus cgroup namespace and resources. */
function makeBundle(dir: string): Record<string, any> {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'ls', 'cat', 'echo', 'mkdir']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc/hostname'), 'box\n');
  execFileSync('runc', ['spec'], { cwd: dir });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  delete config.linux.resources;
  config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
  config.process.terminal = false;
  return config;
}

function runIn(dir: string, config: Record<string, any>, script: string, id: string) {
  config.process.args = ['/bin/sh', '-c', script];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return spawnSync('runc', ['--root', join(dir, 'state'), 'run', '--no-pivot', '--bundle', dir, id], { encoding: 'utf8', timeout: 30_000 });
}

it('a profile learned from a busybox workload lets it run under runc; mkdir gets EPERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'learn-runc-'));
  const id = `learn-e2e-${process.pid}`;
  try {
    const config = makeBundle(dir);
    // Learn from the workload as the runtime runs it: runc's own init is traced too (it runs after the filter).
    config.process.args = ['/bin/sh', '-c', WORKLOAD];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
    const shapes = traceShapes(['runc', '--root', join(dir, 'state'), 'run', '--no-pivot', '--bundle', dir, `${id}-learn`]);
    assert.not.ok(shapes.some((s) => s.name === 'mkdir'), 'the workload never calls mkdir');
    const catalog = loadCatalog('default');
    const { policy } = learnPolicy(shapes, catalogCategories(catalog, ['x86_64']), {
      profile: 'box', defaultAction: { kind: 'errno', errno: 1 }, level: 'strict',
    });
    const oci = emitOci(resolvePolicy(policy, 'x86_64', { catalog }));
    const seccomp = JSON.parse(oci.text);
    assert.equal(validateOciSeccomp(seccomp), []);
    config.linux.seccomp = seccomp;

    const ok = runIn(dir, config, WORKLOAD, `${id}-ok`);
    assert.is(ok.status, 0, ok.stderr);
    assert.is(ok.stdout, 'hello\nbusybox\ncat\necho\nls\nmkdir\nsh\nbox\n');

    const denied = runIn(dir, config, 'mkdir /tmp/newdir', `${id}-mkdir`);
    assert.is.not(denied.status, 0);
    assert.match(denied.stderr, /Operation not permitted/);
    // Without the filter the same call fails differently (read-only rootfs): the EPERM is the profile's.
    delete config.linux.seccomp;
    const bare = runIn(dir, config, 'mkdir /tmp/newdir', `${id}-bare`);
    assert.match(bare.stderr, /Read-only file system/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
