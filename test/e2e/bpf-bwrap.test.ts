// Filters from `learn compile` load in the kernel through bwrap --seccomp FD, and do what they say;
// plus the CLI surface of compile/disasm (formats, raw stdout, one-line errors).
import { execFileSync, spawnSync } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAsm } from '../../src/bpf/asm-parse.js';
import { decodeProgram, encodeProgram } from '../../src/bpf/encode.js';
import { ROOT, runLearn, scratch } from '../helpers/learn-cli.js';

const t = suite('bpf/bwrap+cli');
const hasBwrap = spawnSync('bwrap', ['--version']).status === 0;
const TRUE_NEEDS = readFileSync(join(ROOT, 'bench/lists/true.txt'), 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);

/** Runs `bwrap --seccomp 3 CMD` with the filter file on fd 3; returns exit status and output. */
function underBwrap(filter: string, cmd: string[]): { status: number | null; stdout: string } {
  const fd = openSync(filter, 'r');
  try {
    const r = spawnSync('bwrap', ['--dev-bind', '/', '/', '--seccomp', '3', ...cmd], { stdio: ['ignore', 'pipe', 'pipe', fd], encoding: 'utf8', timeout: 20_000 });
    return { status: r.status, stdout: r.stdout };
  } finally {
    closeSync(fd);
  }
}

async function compileText(dir: string, name: string, text: string, extra: string[] = []): Promise<string> {
  const policy = join(dir, `${name}.policy`);
  const out = join(dir, `${name}.bpf`);
  writeFileSync(policy, text);
  const r = await runLearn(['compile', policy, '-o', out, ...extra]);
  assert.is(r.exitCode, 0, r.stderr);
  return out;
}

t('/bin/true runs under bwrap with exactly its syscalls allowed (default KILL), and dies without exit_group', async () => {
  if (!hasBwrap) return console.log('skipped: bwrap is not installed');
  const s = scratch();
  try {
    const full = await compileText(s.dir, 'true', `POLICY true_needs { ALLOW { ${TRUE_NEEDS.join(', ')} } }\nUSE true_needs DEFAULT KILL\n`);
    assert.is(underBwrap(full, ['/bin/true']).status, 0);
    const lacking = TRUE_NEEDS.filter((n) => n !== 'exit_group');
    const cut = await compileText(s.dir, 'cut', `POLICY cut { ALLOW { ${lacking.join(', ')} } }\nUSE cut DEFAULT KILL\n`);
    // bwrap reports a seccomp kill of its child as exit status 159 (128 + SIGSYS).
    assert.is(underBwrap(cut, ['/bin/true']).status, 159);
  } finally {
    s.cleanup();
  }
});

t('an ERRNO rule is what the program sees: getpid() returns -1 under ERRNO(1)', async () => {
  if (!hasBwrap) return console.log('skipped: bwrap is not installed');
  const s = scratch();
  try {
    const f = await compileText(s.dir, 'gp', 'POLICY p { ERRNO(1) { getpid } }\nUSE p DEFAULT ALLOW\n');
    const r = underBwrap(f, ['python3', '-c', 'import os; print(os.getpid(), os.getppid() > 0)']);
    assert.is(r.status, 0);
    assert.is(r.stdout.trim(), '-1 True');
  } finally {
    s.cleanup();
  }
});

t('compile --format asm/json/c agree with the raw bytes; disasm output assembles back', async () => {
  const s = scratch();
  try {
    const text = 'POLICY p {\n  ALLOW { read, write, close }\n  ALLOW { socket(domain, type, protocol) { domain == 2 && (type & 0x7ff) == 1 } }\n}\nUSE p DEFAULT ERRNO(1)\n';
    const raw = await compileText(s.dir, 'p', text);
    const bytes = new Uint8Array(readFileSync(raw));
    const policy = join(s.dir, 'p.policy');
    const asm = await runLearn(['compile', policy, '--format', 'asm']);
    assert.equal(encodeProgram(parseAsm(asm.stdout)), bytes);
    const json = JSON.parse((await runLearn(['compile', policy, '--format', 'json'])).stdout) as { instructions: number[][]; stats: { length: number } };
    assert.equal(json.instructions, decodeProgram(bytes).map((i) => [i.code, i.jt, i.jf, i.k]));
    assert.is(json.stats.length, bytes.length / 8);
    const c = (await runLearn(['compile', policy, '--format', 'c'])).stdout;
    assert.ok(c.includes('struct sock_filter filter[]') && c.split('\n').filter((l) => l.startsWith('\t{ 0x')).length === bytes.length / 8, c);
    const dis = await runLearn(['disasm', raw]);
    assert.is(dis.exitCode, 0);
    assert.ok(dis.stdout.includes('socket') && dis.stdout.includes('ERRNO(1)'), dis.stdout);
    assert.equal(encodeProgram(parseAsm(dis.stdout)), bytes);
    // Raw to a pipe: the same bytes on stdout.
    const piped = execFileSync(process.execPath, [join(ROOT, 'bin/learn.js'), 'compile', policy], { stdio: ['ignore', 'pipe', 'ignore'] });
    assert.equal(new Uint8Array(piped), bytes);
  } finally {
    s.cleanup();
  }
});

t('bad input: one line, exit 2', async () => {
  const s = scratch();
  try {
    const bad = join(s.dir, 'bad.policy');
    writeFileSync(bad, 'POLICY p { ALLOW { nosuchcall } }\nUSE p DEFAULT KILL\n');
    const r = await runLearn(['compile', bad]);
    assert.is(r.exitCode, 2);
    assert.match(r.stderr, /bad\.policy:1:\d+/);
    const odd = join(s.dir, 'odd.bpf');
    writeFileSync(odd, new Uint8Array(12));
    const d = await runLearn(['disasm', odd]);
    assert.is(d.exitCode, 2);
    assert.match(d.stderr, /12 bytes is not a whole number/);
    assert.ok(!/\n\s+at /.test(d.stderr + r.stderr), 'no stack trace');
    const f = await runLearn(['compile', bad, '--format', 'elf']);
    assert.is(f.exitCode, 2);
    assert.match(f.stderr, /--format: 'elf'/);
  } finally {
    s.cleanup();
  }
});

t.run();
