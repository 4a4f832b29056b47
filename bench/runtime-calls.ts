// Measures what an OCI runtime's init does after loading the container's seccomp filter, and writes it as
// data (policies/runtimes/NAME.json) for the runtime block of container profiles.
//   node dist/bench/runtime-calls.js [--runs N] [--write] runc crun
// Each run: a busybox bundle with a filter that allows everything but kexec_load (so the runtime loads one),
// `strace -f RUNTIME run`, then the calls of the 'runtime' phase (trace/container-split.ts) are collected.
// Runs alternate process.noNewPrivileges: without it (Docker's and Podman's default) runc loads the filter
// before dropping capabilities and changing user, so many more of its calls run under the filter.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStraceParser } from '../src/trace/assemble.js';
import { createAggregator } from '../src/trace/ingest.js';
import { deleteContainer, makeBundle, MARKER_SECCOMP, runArgv, writeConfig } from '../test/helpers/oci-bundle.js';

const WORKLOADS = [['/bin/true'], ['/bin/sh', '-c', 'echo hi'], ['sh', '-c', 'ls / >/dev/null'], ['/bin/sleep', '0.2']];

/** Runtime-phase syscall names over `runs` traced runs, and the split kinds seen. */
export function measureRuntime(runtime: string, runs: number): { syscalls: string[]; splits: string[] } {
  const dir = mkdtempSync(join(tmpdir(), `runtime-calls-${runtime}-`));
  const names = new Set<string>();
  const splits = new Set<string>();
  try {
    const bundle = makeBundle(join(dir, 'b'));
    for (let i = 0; i < runs; i++) {
      bundle.config.process.noNewPrivileges = i % 2 === 0;
      writeConfig(bundle, WORKLOADS[i % WORKLOADS.length]!, MARKER_SECCOMP);
      const id = `rtcalls-${process.pid}-${i}`;
      const trace = join(dir, `trace.${i}`);
      const r = spawnSync('strace', ['-f', '-o', trace, ...runArgv(runtime, bundle, id)], { encoding: 'utf8', timeout: 60_000 });
      deleteContainer(runtime, bundle, id);
      if (r.status !== 0) throw new Error(`${runtime} run failed (${r.status}): ${r.stderr}`);
      const parser = createStraceParser();
      const aggregator = createAggregator();
      for (const line of readFileSync(trace, 'utf8').split('\n')) for (const e of parser.feed(line)) aggregator.add(e);
      for (const e of parser.finish()) aggregator.add(e);
      aggregator.end();
      const batch = aggregator.takeBatch();
      splits.add(String(batch.split.split));
      for (const o of batch.observations) if (o.phase === 'runtime') names.add(o.name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { syscalls: [...names].sort(), splits: [...splits] };
}

function main(): void {
  const args = process.argv.slice(2);
  const at = args.indexOf('--runs');
  const runs = at >= 0 ? Number(args.splice(at, 2)[1]) : 20;
  const write = args.includes('--write');
  const runtimes = args.filter((a) => !a.startsWith('--'));
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  for (const runtime of runtimes.length > 0 ? runtimes : ['runc']) {
    const version = execFileSync(runtime, ['--version'], { encoding: 'utf8' }).split('\n').slice(0, 1).join('').trim();
    const libseccomp = /libseccomp: (\S+)/.exec(execFileSync(runtime, ['--version'], { encoding: 'utf8' }))?.[1];
    const { syscalls, splits } = measureRuntime(runtime, runs);
    const data = {
      runtime, version: libseccomp === undefined ? version : `${version} (libseccomp ${libseccomp})`,
      measured: new Date().toISOString().slice(0, 10),
      how: `bench/runtime-calls.ts: ${runs} runs of \`strace -f ${runtime} run\` on a busybox bundle (${WORKLOADS.length} workloads) ` +
        `with a filter allowing all but kexec_load, noNewPrivileges true and false alternately; the calls of the 'runtime' phase; kernel ${kernel}; split seen: ${splits.join(', ')}`,
      syscalls,
    };
    const text = `${JSON.stringify(data, null, 2)}\n`;
    if (write) writeFileSync(fileURLToPath(new URL(`../../policies/runtimes/${runtime}.json`, import.meta.url)), text);
    process.stdout.write(text);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
