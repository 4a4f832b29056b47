// Container profiles against Docker's default: the three acceptance containers (test/helpers/oci-bundle.ts)
// are learned with `learn -- runc run …` (default catalog, and --strict), and the syscall names their OCI
// profiles allow on x86_64 are counted next to Docker's default profile (bench/lists/docker-default.txt).
// Runs alone: `npm run bench -- container`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { runtimeCalls } from '../src/container/runtime-calls.js';
import { syscallNumber } from '../src/syscalls/table.js';
import { containerWorkloads, deleteContainer, makeBundle, runArgv, writeConfig } from '../test/helpers/oci-bundle.js';

const LEARN = fileURLToPath(new URL('../../bin/learn.js', import.meta.url));
const DOCKER = fileURLToPath(new URL('../../bench/lists/docker-default.txt', import.meta.url));

const x86 = (names: readonly string[]) => [...new Set(names)].filter((n) => syscallNumber('x86_64', n) !== undefined);

function allowed(ociFile: string): string[] {
  const oci = JSON.parse(readFileSync(ociFile, 'utf8')) as { syscalls: { names: string[]; action: string }[] };
  return x86(oci.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names));
}

export async function benchContainer(): Promise<string> {
  const listed = readFileSync(DOCKER, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const dockerListed = listed.length;
  const docker = x86(listed);
  const server = createServer((_req, res) => res.end('served from the host\n'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const workloads = containerWorkloads((server.address() as AddressInfo).port);
  const dir = mkdtempSync(join(tmpdir(), 'bench-container-'));
  const rows: string[] = [];
  try {
    for (const [name, args] of Object.entries(workloads)) {
      const counts: number[] = [];
      let setup = 0;
      for (const strict of [false, true]) {
        const bundle = makeBundle(join(dir, `${name}-${strict}`), { hostNetwork: name === 'net' });
        writeConfig(bundle, args);
        const id = `bench-ct-${process.pid}-${name}-${strict}`;
        const out = join(dir, 'out');
        try {
          await execa(process.execPath, [LEARN, '--db', join(dir, 'learn.db'), '--name', `${name}-${strict}`, '--out', out, '--format', 'oci',
            '--quiet', ...(strict ? ['--strict'] : []), '--', ...runArgv('runc', bundle, id)], { stdin: 'ignore' });
        } finally {
          deleteContainer('runc', bundle, id);
        }
        counts.push(allowed(join(out, `${name}-${strict}.oci.json`)).length);
        const show = await execa(process.execPath, [LEARN, 'show', `${name}-${strict}`, '--db', join(dir, 'learn.db'), '--json']);
        setup = (JSON.parse(show.stdout) as { container: { phases: { host: string[] } } }).container.phases.host.length;
      }
      rows.push(`| ${name} | ${setup} | ${counts[0]} | ${counts[1]} | ${docker.length} | ${(docker.length / counts[0]!).toFixed(1)}× / ${(docker.length / counts[1]!).toFixed(1)}× |`);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const runc = runtimeCalls('runc');
  return [
    'Allowed x86_64 syscall names in the OCI profile learned for each acceptance container (`learn -- runc run …`,',
    'busybox-static rootfs, default catalog and `--strict`), against Docker\'s default profile for a container with',
    'Docker\'s default capabilities (bench/lists/docker-default.txt, derived from moby/moby profiles/seccomp/default.json:',
    `${dockerListed} names listed, allowed outright or with argument conditions, ${docker.length} of them x86_64 calls). The learned counts include the runtime block`,
    `(${runc?.syscalls.length ?? 0} calls runc's init makes after loading the filter, ${runc?.version ?? 'not measured'}).`,
    '"outside" is the distinct calls the trace saw outside the container: runc\'s setup, left out of the profile.',
    '',
    '| container | outside | learned (default catalog) | learned --strict | Docker default | Docker ÷ learned |',
    '|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
