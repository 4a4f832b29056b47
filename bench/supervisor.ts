// What complain mode costs per denied call: a getppid loop run bare (ALLOW), under a LOG filter (the kernel
// logs each call), with the supervisor answering each one (USER_NOTIF, then CONTINUE), and under
// `strace -f` (a ptrace stop per call). The program times its own loop, so start-up is left out; the
// variants run interleaved, round after round, and the median of the rounds is reported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_LOG } from '../src/abi/seccomp.js';
import { decodeProgram, encodeProgram } from '../src/bpf/encode.js';
import { BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, jump, stmt } from '../src/bpf/insn.js';
import { validate } from '../src/bpf/validate.js';
import { launchWithLoader } from '../src/replay/launch.js';
import { notifyingProgram } from '../src/replay/notify-filter.js';
import { createSupervisor } from '../src/replay/supervisor.js';
import { syscallNumber } from '../src/syscalls/table.js';
import { median } from './measure.js';

const ROUNDS = 5;
const CALLS: Readonly<Record<string, number>> = { bare: 2_000_000, log: 200_000, supervisor: 50_000, strace: 50_000 };
const HERE = fileURLToPath(new URL('../../bench/', import.meta.url));

/** getppid → `ret`, everything else ALLOW (the arch is not checked: this filter never leaves the bench). */
function filterFor(ret: number): Uint8Array {
  const nr = syscallNumber('x86_64', 'getppid') ?? 110;
  return encodeProgram(validate([
    stmt(BPF_LD | BPF_W | BPF_ABS, 0),
    jump(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
    stmt(BPF_RET | BPF_K, ret),
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  ]));
}

async function underLoader(loop: string, calls: number, ret: number, supervised: boolean): Promise<number> {
  const filter = filterFor(ret);
  const notifying = notifyingProgram(validate(decodeProgram(filter)));
  const supervisor = supervised ? createSupervisor(filter) : undefined;
  const launched = launchWithLoader({
    filter: supervised && notifying !== null ? encodeProgram(notifying) : filter, argv: [loop, String(calls)], env: { PATH: '/usr/bin:/bin' },
    nofileSoft: null, stdio: ['ignore', 'pipe', 'ignore'], ...(supervisor === undefined ? {} : { supervisor }),
  });
  let out = '';
  launched.stdout?.on('data', (d: Buffer) => void (out += d.toString()));
  const end = await launched.end;
  await supervisor?.finish();
  if (end.code !== 0) throw new Error(`the loop failed: ${JSON.stringify(end)}`);
  return Number(out.trim());
}

export async function benchSupervisor(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'learn-bench-sup-'));
  try {
    const loop = join(dir, 'ppid-loop');
    execFileSync('gcc', ['-O2', '-o', loop, join(HERE, 'ppid-loop.c')]);
    const variants: Record<string, () => Promise<number>> = {
      bare: () => underLoader(loop, CALLS.bare as number, SECCOMP_RET_ALLOW, false),
      log: () => underLoader(loop, CALLS.log as number, SECCOMP_RET_LOG, false),
      supervisor: () => underLoader(loop, CALLS.supervisor as number, SECCOMP_RET_LOG, true),
      strace: async () => Number(execFileSync('strace', ['-f', '-o', '/dev/null', loop, String(CALLS.strace)], { encoding: 'utf8' }).trim()),
    };
    const ns: Record<string, number[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of Object.entries(variants)) (ns[name] ??= []).push(await run());
    }
    const bare = median(ns.bare ?? []);
    const row = (name: string, what: string): string => {
      const m = median(ns[name] ?? []);
      return `| ${what} | ${CALLS[name]?.toLocaleString('en')} | ${m.toFixed(1)} | ${Math.round(1e9 / m).toLocaleString('en')} | ${(m / bare).toFixed(0)}× |`;
    };
    return [
      `### Complain mode: cost per denied call (a getppid loop, median of ${ROUNDS} interleaved rounds)`,
      '',
      '| run | calls | ns per call | calls/s | vs ALLOW |',
      '|---|---:|---:|---:|---:|',
      row('bare', 'ALLOW (no supervisor)'),
      row('log', 'LOG filter (kernel audit log)'),
      row('supervisor', 'USER_NOTIF → supervisor → CONTINUE'),
      row('strace', '`strace -f -o /dev/null` (ptrace)'),
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
