// OCI bundles for real-runtime tests and measurements: a busybox-static rootfs and the config `runc spec`
// writes, made non-interactive, without cgroup namespace or resource limits, with a tmpfs on /tmp.
import { execFileSync, spawnSync } from 'node:child_process';
import { execa } from 'execa';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'ls', 'cat', 'echo', 'mkdir', 'rm', 'cp', 'mv', 'wc', 'seq', 'sort', 'nc', 'wget', 'sleep', 'mount', 'touch', 'head', 'sync', 'true', 'ps', 'grep'];

export type OciConfig = Record<string, any>;

export interface Bundle {
  readonly dir: string;
  /** Runtime state directory (--root), inside the bundle so nothing outlives the test. */
  readonly state: string;
  config: OciConfig;
}

/** A bundle in `dir`. `hostNetwork` leaves out the network namespace (the container sees 127.0.0.1 of the host). */
export function makeBundle(dir: string, options: { hostNetwork?: boolean } = {}): Bundle {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'dev', 'sys']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(rootfs, 'bin', applet));
  writeFileSync(join(rootfs, 'etc/hostname'), 'box\n');
  execFileSync('runc', ['spec'], { cwd: dir });
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as OciConfig;
  delete config.linux.resources;
  config.linux.namespaces = config.linux.namespaces.filter((n: { type: string }) =>
    n.type !== 'cgroup' && !(options.hostNetwork === true && n.type === 'network'));
  config.process.terminal = false;
  config.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] });
  return { dir, state: join(dir, 'state'), config };
}

/** Writes config.json with `args` (and `seccomp` when given, else none). */
export function writeConfig(b: Bundle, args: readonly string[], seccomp?: unknown): void {
  const config = structuredClone(b.config);
  config.process.args = [...args];
  if (seccomp === undefined) delete config.linux.seccomp;
  else config.linux.seccomp = seccomp;
  writeFileSync(join(b.dir, 'config.json'), JSON.stringify(config, null, 2));
}

/** `runtime run` argv for the bundle (runc and crun take the same flags). */
export function runArgv(runtime: string, b: Bundle, id: string): string[] {
  return [runtime, '--root', b.state, 'run', '--bundle', b.dir, id];
}

export interface ContainerResult {
  readonly status: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the container to its end (without blocking the event loop: a test's server must answer it);
 * `delete -f` afterwards whatever happened. */
export async function runContainer(runtime: string, b: Bundle, id: string, timeout = 30_000): Promise<ContainerResult> {
  const [cmd, ...args] = runArgv(runtime, b, id);
  try {
    const r = await execa(cmd!, args, { reject: false, timeout, stdin: 'ignore', stripFinalNewline: false });
    return { status: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  } finally {
    deleteContainer(runtime, b, id);
  }
}

export function deleteContainer(runtime: string, b: Bundle, id: string): void {
  spawnSync(runtime, ['--root', b.state, 'delete', '-f', id], { encoding: 'utf8' });
}

/** A seccomp section that allows everything but one harmless call: a filter the runtime loads, nothing more. */
export const MARKER_SECCOMP = {
  defaultAction: 'SCMP_ACT_ALLOW',
  syscalls: [{ names: ['kexec_load'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
};

/** The three acceptance containers: file work, a wget to a server on the host's 127.0.0.1:`port` (needs the
 * host network), forked workers. Each prints the same text on every run. */
export function containerWorkloads(port: number): Readonly<Record<'files' | 'net' | 'workers', readonly string[]>> {
  return {
    files: ['/bin/sh', '-c', 'mkdir -p /tmp/w/a && echo data > /tmp/w/a/f && cp /tmp/w/a/f /tmp/w/g && mv /tmp/w/g /tmp/w/h && ' +
      'cat /tmp/w/h && ls /tmp/w && wc -c /tmp/w/a/f && rm -r /tmp/w && echo done'],
    net: ['/bin/sh', '-c', `wget -q -O - http://127.0.0.1:${port}/ && echo fetched`],
    workers: ['/bin/sh', '-c', 'for i in 1 2 3 4; do (echo worker $i > /tmp/out.$i) & done; wait; cat /tmp/out.1 /tmp/out.2 /tmp/out.3 /tmp/out.4'],
  };
}
