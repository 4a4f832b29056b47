// The loader under `strace -f`: once the filter is installed nothing may run but execve, from any thread
// (an allocation there would be a brk/mmap the policy never saw), even with large argv and environment.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LOADER_COMMAND } from '../../src/replay/launch.js';
import { hostArch } from '../../src/replay/native.js';
import { encodeRequest, envEntries } from '../../src/replay/request.js';
import { rawFilter, retErrno } from '../helpers/raw-filter.js';

const t = suite('replay/strace');
const haveStrace = spawnSync('strace', ['-V']).status === 0;
const it = haveStrace ? t : t.skip;
if (!haveStrace) console.log('  (strace is not installed: skipping)');

/** `PID  name(` — strace pads the pid column once pids differ in width; resumed calls do not match. */
const SYSCALL_START = /^(\d+)\s+([a-z0-9_]+)\(/;

interface Call {
  readonly at: number;
  readonly pid: string;
  readonly name: string;
}

function syscallStarts(lines: readonly string[]): Call[] {
  return lines.flatMap((l, at) => {
    const m = SYSCALL_START.exec(l);
    return m ? [{ at, pid: m[1] as string, name: m[2] as string }] : [];
  });
}

async function traceLoader(argv: string[], env: Record<string, string>): Promise<{ lines: string[]; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'learn-strace-'));
  const out = join(dir, 'trace');
  const child = spawn('strace', ['-f', '-qq', '-o', out, LOADER_COMMAND[0], ...LOADER_COMMAND[1]], { env: {}, stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  const filter = rawFilter(hostArch(), [{ syscall: 'getppid', ret: retErrno(7) }]);
  (child.stdio[3] as NodeJS.WritableStream).write(encodeRequest({ argv, env: envEntries(env), nofileSoft: 1024, filter }));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = readFileSync(out, 'utf8').split('\n');
  rmSync(dir, { recursive: true });
  return { lines, code };
}

it('nothing runs between seccomp() and execve(), from any thread, with a large argv and environment', async () => {
  const big = 'y'.repeat(100_000);
  const env = { PATH: '/usr/bin:/bin', ...Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`BIG${i}`, big.slice(0, 1000)])) };
  for (let round = 0; round < 3; round++) {
    const { lines, code } = await traceLoader(['/bin/sh', '-c', 'exit 3', big], env);
    assert.is(code, 3, 'the target ran to its own exit status');
    const calls = syscallStarts(lines);
    const loaderPid = calls[0]?.pid;
    const own = calls.filter((c) => c.pid === loaderPid);
    const execAt = own.findIndex((c) => c.name === 'execve' && lines[c.at]?.includes('execve("/bin/sh"'));
    assert.ok(execAt > 0, 'the loader exec’d the target');
    assert.equal(own.slice(execAt - 2, execAt + 1).map((c) => c.name), ['prctl', 'seccomp', 'execve'], 'the loading thread ends with prctl, seccomp, execve');
    const [seccomp, execve] = [own[execAt - 1]?.at ?? 0, own[execAt]?.at ?? 0];
    const between = calls.filter((c) => c.at > seccomp && c.at < execve).map((c) => lines[c.at]);
    assert.equal(between, [], 'no syscall from any thread between seccomp and execve');
  }
});

t.run();
