// Benchmark: the CI drift check. `learn diff --baseline` on `find /usr -name '*.h'` against its learned
// policy, versus the bare command; the target is ≤ 1.3× (strace traces only calls outside the baseline).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { readSide } from '../src/diff/read-side.js';
import { untracedSyscalls } from '../src/diff/trace-set.js';
import { straceArgv } from '../src/trace/strace-argv.js';

const LEARN = fileURLToPath(new URL('../../bin/learn.js', import.meta.url));
const FIND = ['find', '/usr', '-name', '*.h'];
const ROUNDS = 5;
const TARGET = 1.3;

async function seconds(file: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const start = process.hrtime.bigint();
  const r = await execa(file, args, { cwd, reject: false, stdout: 'ignore', stderr: 'pipe', stdin: 'ignore', ...(env === undefined ? {} : { env }) });
  if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.exitCode}: ${String(r.stderr).slice(0, 300)}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchDiff(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'learn-bench-diff-'));
  try {
    const node = process.execPath;
    const learnArgs = (...rest: string[]) => [LEARN, ...rest];
    // The baseline: a full trace, then the learned policy (the slow part, done once, not timed).
    await seconds(node, learnArgs('--db', 'l.db', '--name', 'find', '--quiet', '--', ...FIND), dir);
    await seconds(node, learnArgs('policy', 'find', '--db', 'l.db', '--out', '.'), dir);
    const check = learnArgs('diff', '--baseline', 'find.policy', '--db', 'l.db', '--quiet', '--', ...FIND);
    // The same strace invocation without learn around it, and learn's fixed cost without a trace (start-up,
    // loading the diff command, reading and resolving the policy, diffing: the baseline against itself), to split
    // the cost. Node's own start-up is the floor under the fixed cost.
    const baseline = await readSide('find.policy', { cwd: dir, env: process.env, arch: 'x86_64', catalog: undefined, db: undefined, defaultAction: { kind: 'kill-process' } });
    const fast = straceArgv({ target: { kind: 'command', argv: FIND }, output: '/dev/null', strace: 'strace', pinCpu: null, untraced: untracedSyscalls(baseline.side.policy) });
    const fixed = learnArgs('diff', 'find.policy', 'find.policy');
    const runs = { bare: [] as number[], checked: [] as number[], strace: [] as number[], fixed: [] as number[], node: [] as number[], nodeNoCa: [] as number[] };
    const noCa = { ...process.env, NODE_EXTRA_CA_CERTS: undefined };
    await seconds(FIND[0]!, FIND.slice(1), dir); // warm the page cache
    for (let i = 0; i < ROUNDS; i++) {
      runs.bare.push(await seconds(FIND[0]!, FIND.slice(1), dir));
      runs.checked.push(await seconds(node, check, dir));
      runs.strace.push(await seconds(fast.file, fast.args, dir));
      runs.fixed.push(await seconds(node, fixed, dir));
      runs.node.push(await seconds(node, ['-e', '0'], dir));
      runs.nodeNoCa.push(await seconds(node, ['-e', '0'], dir, noCa));
    }
    const bare = median(runs.bare);
    const ratio = median(runs.checked) / bare;
    const row = (name: string, xs: number[]) => `| ${name} | ${(median(xs) * 1000).toFixed(0)} ms | ${(median(xs) / bare).toFixed(2)}× |`;
    return [
      '## learn diff --baseline (CI drift check)',
      '',
      `\`find /usr -name '*.h'\` against its learned policy, median of ${ROUNDS} alternating runs (includes Node start-up).`,
      '',
      '| run | median | vs bare |',
      '|---|---|---|',
      row('bare', runs.bare),
      row('learn diff --baseline (trace, learn, diff)', runs.checked),
      row('its strace alone (--seccomp-bpf, baseline untraced)', runs.strace),
      row('learn diff POLICY POLICY (no trace: start-up, loading, reading, diffing)', runs.fixed),
      row('node -e 0 (Node start-up alone)', runs.node),
      ...(process.env.NODE_EXTRA_CA_CERTS === undefined ? [] : [row('node -e 0 without NODE_EXTRA_CA_CERTS (set in this environment)', runs.nodeNoCa)]),
      '',
      `Ratio: **${ratio.toFixed(2)}×** (target ≤ ${TARGET}×: ${ratio <= TARGET ? 'met' : 'NOT met'}).`,
      '',
      `Any tool that starts strace from Node pays Node's start-up plus strace's own run: ` +
      `${((median(runs.node) + median(runs.strace)) / bare).toFixed(2)}× here. learn starts strace as soon as it has read the ` +
      'baseline and computed the trace set; the learner, the diff and the renderers load while the program runs.',
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
