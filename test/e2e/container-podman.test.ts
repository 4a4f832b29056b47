// The same busybox case under Podman (Debian's podman with --runtime runc and a local rootfs): learned with
// `learn -- podman run …` (split where runc's init loads Podman's default filter), then run with
// `--security-opt seccomp=NAME.oci.json`: same output; a mount is killed.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn } from '../helpers/learn-cli.js';
import { makeBundle } from '../helpers/oci-bundle.js';
import { hasTool } from '../helpers/trace-shapes.js';

const t = suite('e2e/containers under podman');
const dir = mkdtempSync(join(tmpdir(), 'learn-podman-'));
let seq = 0;

/** podman with runc and cgroupfs; rlimits at or below the hard limits (raising them needs CAP_SYS_RESOURCE). */
function podmanArgv(name: string, rootfs: string, args: readonly string[], seccomp?: string): string[] {
  return ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', 'run', '--rm', '--name', name,
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--network', 'host',
    ...(seccomp === undefined ? [] : ['--security-opt', `seccomp=${seccomp}`]), '--rootfs', rootfs, ...args];
}

/** Why podman cannot run a container here, or null when it can. */
function podmanProblem(rootfs: string): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!hasTool('podman') || !hasTool('runc') || !hasTool('strace')) return 'needs podman, runc and strace';
  const [cmd, ...args] = podmanArgv(`learn-probe-${process.pid}`, rootfs, ['/bin/true']);
  const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? null : `podman run fails here: ${r.stderr.trim().split('\n').pop()}`;
}

const rootfs = join(makeBundle(join(dir, 'bundle')).dir, 'rootfs');
const problem = podmanProblem(rootfs);
if (problem !== null) console.log(`  skipped e2e/containers under podman: ${problem}`);
const it = problem === null ? t : t.skip;
t.after(() => rmSync(dir, { recursive: true, force: true }));

async function podman(args: readonly string[], seccomp?: string) {
  const name = `learn-pod-${process.pid}-${seq++}`;
  const [cmd, ...rest] = podmanArgv(name, rootfs, args, seccomp);
  try {
    return await execa(cmd!, rest, { reject: false, timeout: 60_000, stdin: 'ignore', stripFinalNewline: false });
  } finally {
    spawnSync('podman', ['rm', '-f', name], { encoding: 'utf8' });
  }
}

const WORKLOAD = ['/bin/sh', '-c', 'mkdir -p /tmp/w && echo data > /tmp/w/f && cat /tmp/w/f && ls / && rm -r /tmp/w && echo done'];

it('learned through podman, it runs under podman with the learned profile; mount is killed', async () => {
  // A copy of the rootfs: podman adds its mount points to the one it runs.
  cpSync(rootfs, join(dir, 'learn-rootfs'), { recursive: true, verbatimSymlinks: true });
  const name = `learn-pod-${process.pid}-learn`;
  const learnArgv = podmanArgv(name, join(dir, 'learn-rootfs'), WORKLOAD);
  const learned = await runLearn(['--db', join(dir, 'learn.db'), '--name', 'pod', '--out', join(dir, 'out'), '--format', 'kafel,oci', '--quiet', '--', ...learnArgv]);
  spawnSync('podman', ['rm', '-f', name]);
  assert.is(learned.exitCode, 0, learned.stderr);
  const policy = readFileSync(join(dir, 'out', 'pod.policy'), 'utf8');
  assert.match(policy, /container runs \d+ \(runc, split at its filter load\)/);
  const oci = join(dir, 'out', 'pod.oci.json');
  const names = JSON.parse(readFileSync(oci, 'utf8')).syscalls.flatMap((s: { names: string[] }) => s.names);
  for (const call of ['mount', 'pivot_root', 'unshare', 'setns']) assert.not.ok(names.includes(call), call);

  const bare = await podman(WORKLOAD);
  assert.is(bare.exitCode, 0, String(bare.stderr));
  const confined = await podman(WORKLOAD, oci);
  assert.is(confined.exitCode, 0, String(confined.stderr));
  assert.is(confined.stdout, bare.stdout);

  const denied = await podman(['/bin/sh', '-c', 'echo before; mount -t tmpfs none /tmp; echo after $?'], oci);
  assert.match(String(denied.stdout), /^before\nafter 159\n$/, String(denied.stderr));
});

t.run();
