#!/usr/bin/env node
// Builds the eBPF recorder's helper (src/record/ebpf: recorder.bpf.c + helper.c, sharing recorder.h) into
// dist/src/record/ebpf/learn-ebpf. Run by `npm ci`/`npm install` (prepare) and `npm test`.
// Without the toolchain (clang, bpftool, libbpf-dev, a C compiler) or kernel BTF it prints one line and
// succeeds: `learn --recorder auto` then records with strace. Nothing is downloaded.
//
// Reproducible: every step runs in build/ebpf with relative paths, DWARF is stripped from the BPF object
// (BTF, which CO-RE needs, stays), so the same kernel BTF and toolchain give the same bytes.
// `--verify` builds a second time from scratch and fails if the helper differs.
// Up to date when a hash of the inputs (sources, kernel BTF, tool versions) matches the last build's.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src/record/ebpf');
const SOURCES = ['recorder.h', 'recorder.bpf.c', 'helper.c'];
const out = join(root, 'dist/src/record/ebpf/learn-ebpf');
const BTF = '/sys/kernel/btf/vmlinux';
const verify = process.argv.includes('--verify');

function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function skip(why) {
  console.log(`build-ebpf: skipped (${why}); learn will record with strace`);
  process.exit(0);
}

if (process.platform !== 'linux' || process.arch !== 'x64') skip(`the eBPF recorder is x86_64 Linux only, this is ${process.platform}/${process.arch}`);
const cc = which('cc') ?? which('gcc');
for (const [tool, pkg] of [['clang', 'clang'], ['bpftool', 'bpftool'], [cc === null ? 'cc' : null, 'gcc']]) {
  if (tool !== null && which(tool) === null) skip(`no ${tool}: apt-get install ${pkg}`);
}
if (!existsSync('/usr/include/bpf/bpf_helpers.h')) skip('no libbpf headers: apt-get install libbpf-dev');
if (!existsSync(BTF)) skip(`the kernel has no BTF (${BTF})`);

function run(cwd, file, args, stdout) {
  const r = spawnSync(file, args, { cwd, encoding: stdout === undefined ? 'utf8' : 'buffer', stdio: ['ignore', stdout === undefined ? 'pipe' : 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    console.error(`build-ebpf: ${file} ${args.join(' ')} failed:\n${String(r.stderr).trim()}`);
    process.exit(1);
  }
  if (stdout !== undefined) writeFileSync(join(cwd, stdout), r.stdout);
  return r.stdout;
}

function version(tool, args = ['--version']) {
  return spawnSync(tool, args, { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
}

/** Builds the helper in `dir` (emptied first); returns its path. */
function build(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of SOURCES) copyFileSync(join(src, f), join(dir, f));
  run(dir, 'bpftool', ['btf', 'dump', 'file', BTF, 'format', 'c'], 'vmlinux.h');
  run(dir, 'clang', ['-g', '-O2', '-mcpu=v3', '-fdebug-compilation-dir=.', `-fdebug-prefix-map=${dir}=.`, '-target', 'bpf', '-D__TARGET_ARCH_x86', '-I.', '-c', 'recorder.bpf.c', '-o', 'recorder.bpf.o']);
  run(dir, 'bpftool', ['gen', 'object', 'recorder.o', 'recorder.bpf.o']); // drops DWARF (and its paths), keeps BTF
  run(dir, 'bpftool', ['gen', 'skeleton', 'recorder.o', 'name', 'recorder_bpf'], 'recorder.skel.h');
  run(dir, cc, ['-O2', '-Wall', '-Wextra', '-Werror', '-I.', '-o', 'learn-ebpf', 'helper.c', '-lbpf']);
  return join(dir, 'learn-ebpf');
}

const sha = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const inputs = createHash('sha256');
for (const f of SOURCES) inputs.update(readFileSync(join(src, f)));
inputs.update(readFileSync(BTF));
inputs.update([version('clang'), version('bpftool'), version(cc)].join('\n'));
const stamp = join(root, 'build/ebpf/inputs.sha256');
const digest = inputs.digest('hex');
if (!verify && existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
  console.log('build-ebpf: up to date');
  process.exit(0);
}

const helper = build(join(root, 'build/ebpf'));
mkdirSync(join(out, '..'), { recursive: true });
// copied beside it and renamed over it: a helper that is running keeps its old file
copyFileSync(helper, `${out}.new`);
chmodSync(`${out}.new`, 0o755);
renameSync(`${out}.new`, out);
writeFileSync(stamp, digest);
if (verify) {
  const again = build(join(root, 'build/ebpf-verify'));
  const [a, b] = [sha(helper), sha(again)];
  rmSync(join(root, 'build/ebpf-verify'), { recursive: true, force: true });
  if (a !== b) {
    console.error(`build-ebpf: not reproducible: two builds differ (${a.slice(0, 12)} vs ${b.slice(0, 12)})`);
    process.exit(1);
  }
  console.log(`build-ebpf: reproducible (sha256 ${a.slice(0, 16)}…)`);
} else {
  console.log(`build-ebpf: built ${out.slice(root.length)}`);
}
