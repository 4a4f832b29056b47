// Replay overhead: /bin/true run directly, through the koffi loader, and through bwrap, each with a one-
// instruction ALLOW filter; `node -e 0` shows how much of the loader's cost is Node's own start.
import { spawn } from 'node:child_process';
import { SECCOMP_RET_ALLOW } from '../src/abi/seccomp.js';
import { encodeProgram } from '../src/bpf/encode.js';
import { BPF_K, BPF_RET, stmt } from '../src/bpf/insn.js';
import { launchWithBwrap } from '../src/replay/launch-bwrap.js';
import { launchWithLoader, type LaunchOptions, type Launched } from '../src/replay/launch.js';

const RUNS = 25;
const ALLOW_ALL = encodeProgram([stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)]);
const OPTS: LaunchOptions = { filter: ALLOW_ALL, argv: ['/bin/true'], env: { PATH: '/usr/bin:/bin' }, nofileSoft: null, stdio: ['ignore', 'ignore', 'ignore'] };

function spawnDirect(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

async function ended(launched: Launched | Promise<Launched>): Promise<void> {
  const end = await (await launched).end;
  if (end.failure || end.code !== 0) throw new Error(`replay of /bin/true failed: ${JSON.stringify(end)}`);
}

async function medianMs(run: () => Promise<void>): Promise<{ median: number; min: number; max: number }> {
  await run(); // warm the page cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)] as number, min: times[0] as number, max: times[times.length - 1] as number };
}

export async function benchReplay(): Promise<string> {
  const rows: Array<[string, Awaited<ReturnType<typeof medianMs>>]> = [
    ['`/bin/true` directly', await medianMs(() => spawnDirect('/bin/true', []))],
    ['`node -e 0` (Node start, for scale)', await medianMs(() => spawnDirect(process.execPath, ['-e', '0']))],
    ['koffi loader + `/bin/true`', await medianMs(() => ended(launchWithLoader(OPTS)))],
    ['`bwrap --seccomp` + `/bin/true`', await medianMs(() => ended(launchWithBwrap(OPTS)))],
  ];
  const direct = rows[0]?.[1].median ?? 0;
  const fmt = (n: number): string => n.toFixed(1);
  return [
    `### Replay launcher overhead (${RUNS} runs each, wall time from spawn to exit)`,
    '',
    '| run | median ms | min ms | max ms | added vs direct |',
    '|---|---:|---:|---:|---:|',
    ...rows.map(([name, r]) => `| ${name} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${fmt(r.median - direct)} |`),
    '',
  ].join('\n');
}
