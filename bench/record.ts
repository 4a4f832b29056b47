// Benchmark of issue 12: the eBPF recorder against bare runs and pinned strace, side by side in one run
// (interleaved rounds): find and tar (time), nginx under wrk on 127.0.0.1 (requests/s), start-up (spawn →
// probes attached), and the cost per syscall, to the recorded program and to every other process.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { captureEntries, formatSpec } from '../src/record/ebpf/capture-spec.js';
import { HELPER_PATH } from '../src/record/ebpf/helper-path.js';
import { machineFacts, unmetPrecondition } from '../src/record/ebpf/preconditions.js';
import { resolveCommand } from '../src/replay/resolve-command.js';
import { writeNginxConf } from '../test/helpers/nginx.js';
import { childrenOf, freePort } from '../test/helpers/processes.js';
import { fmt, interleaved, measureOk, median, type Measured } from './measure.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LEARN = join(ROOT, 'bin/learn.js');
const NODE = process.execPath;
const RUNS = 5;
const NGINX_ROUNDS = 5;
const WRK_SECONDS = 4;
const SPEC = formatSpec(captureEntries());

const which = (name: string): string => {
  const found = resolveCommand(name, process.env.PATH, process.cwd());
  if (!found.ok) throw new Error(`${name} not found`);
  return found.path;
};

const WORKLOADS: { name: string; argv: string[] }[] = [
  { name: "find /usr -name '*.h'", argv: ['find', '/usr', '-name', '*.h'] },
  { name: 'tar cf - /usr/share/doc', argv: ['tar', 'cf', '-', '/usr/share/doc'] },
];

function nginxSite(dir: string, port: number): string {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), `<p>${'x'.repeat(2000)}</p>\n`);
  chmodSync(dir, 0o755);
  return writeNginxConf({ dir, port, root: www, workers: 2, foreground: true, connections: 256 });
}

/** User+system CPU ms a process has used so far (clock ticks of /proc/PID/stat, 100 per second). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface NginxRun {
  readonly rps: number;
  /** CPU µs nginx's workers spent per request (their user+sys time over wrk's requests): what a recorder adds
   * to the server's own work, which other jobs on the machine do not inflate the way they do req/s. */
  readonly cpuUsPerRequest: number;
}

/** Starts nginx under `prefix`, loads it with wrk for WRK_SECONDS, stops it. */
async function nginxRun(prefix: readonly string[], conf: string, port: number): Promise<NginxRun> {
  const argv = [...prefix, which('nginx'), '-c', conf];
  const server = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
  try {
    for (let i = 0; ; i++) {
      const r = await execa('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`], { reject: false });
      if (r.exitCode === 0) break;
      if (i > 100) throw new Error('nginx did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const workers = childrenOf(Number(readFileSync(join(dirname(conf), 'nginx.pid'), 'utf8')));
    const cpuBefore = workers.reduce((ms, pid) => ms + cpuMsOf(pid), 0);
    const wrk = await execa('wrk', ['-t', '2', '-c', '32', '-d', `${WRK_SECONDS}s`, `http://127.0.0.1:${port}/`]);
    const cpuMs = workers.reduce((ms, pid) => ms + cpuMsOf(pid), 0) - cpuBefore;
    const m = /Requests\/sec:\s+([\d.]+)/.exec(wrk.stdout);
    const total = /(\d+) requests in/.exec(wrk.stdout);
    if (m === null || total === null) throw new Error(`wrk: ${wrk.stdout}`);
    return { rps: Number(m[1]), cpuUsPerRequest: (cpuMs * 1000) / Number(total[1]) };
  } finally {
    // nginx's master itself gets the SIGTERM (strace would not pass it on); strace and the helper end with it
    const closed = new Promise((r) => server.once('close', r));
    try {
      process.kill(Number(readFileSync(join(dirname(conf), 'nginx.pid'), 'utf8')), 'SIGTERM');
    } catch {
      server.kill('SIGTERM');
    }
    await closed;
  }
}

/** Milliseconds from spawning the helper to its `ready` line (every probe attached, program released). */
async function startupMs(): Promise<number> {
  const began = process.hrtime.bigint();
  const child = spawn(HELPER_PATH, ['--report-fd', '3', '--spec', SPEC, '--exec', '/bin/true', '--', 'true'], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'] });
  const stream = child.stdio[3] as NodeJS.ReadableStream;
  let ready = 0;
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    text += chunk;
    if (ready === 0 && text.includes('ready ')) ready = Number(process.hrtime.bigint() - began) / 1e6;
  });
  await new Promise((r) => child.once('close', r));
  if (ready === 0) throw new Error(`the helper never got ready: ${text}`);
  return ready;
}

/** CPU ns per getppid() of the loop program (run by `prefix`): its own CPU time, kernel work included,
 * which a loaded machine does not inflate the way it does wall time. */
async function nsPerCall(prefix: readonly string[], loop: string, n: number): Promise<number> {
  const argv = [...prefix, loop, String(n)];
  const r = await execa(argv[0] as string, argv.slice(1), { stderr: 'ignore' });
  const m = /^([\d.]+) [\d.]+$/m.exec(r.stdout);
  if (m === null) throw new Error(`loop: ${r.stdout}`);
  return Number(m[1]);
}

/** Bash's `time` around the program, written to this file: its own run, without a recorder's start-up. */
const TIMES = join(tmpdir(), `learn-bench-times-${process.pid}`);
const TIMED = ['-c', 'TIMEFORMAT="%3R %3U %3S"; { time "$@" 2>/dev/null; } 2>"$LEARN_BENCH_TIMES"', 'bash'];

/** `measureOk` of `prefix… bash -c 'time PROGRAM'`: the whole wall time, and the program's own run (wall and user+sys CPU). */
async function timed(prefix: readonly string[], argv: readonly string[]): Promise<Measured & { runMs: number; cpuMs: number }> {
  const all = [...prefix, which('bash'), ...TIMED, ...argv];
  const m = await measureOk(all[0] as string, all.slice(1), { env: { LEARN_BENCH_TIMES: TIMES } });
  const [real = 0, user = 0, sys = 0] = readFileSync(TIMES, 'utf8').trim().split(/\s+/).map(Number);
  rmSync(TIMES, { force: true });
  return { ...m, runMs: real * 1000, cpuMs: (user + sys) * 1000 };
}

const progress = (what: string): void => void process.stderr.write(` ${what} …`);

const med = (xs: readonly Measured[]): number => median(xs.map((x) => x.ms));

export async function benchRecord(): Promise<string> {
  const unmet = unmetPrecondition(machineFacts());
  if (unmet !== null) return `Skipped: the eBPF recorder cannot run here (${unmet}).`;
  const dir = mkdtempSync(join(tmpdir(), 'learn-bench-record-'));
  const db = join(dir, 'learn.db');
  const lines: string[] = [];
  try {
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    lines.push(`Conditions: a shared 2-vCPU VM with other jobs running (load average ${load} at the start); every table`,
      `interleaves its variants round by round (A B C A B C …) so drift hits all alike; medians. "eBPF helper" is the`,
      `recorder alone (\`learn-ebpf\`, no Node); "learn --recorder ebpf" is the whole product (Node start-up, store, policy off).`, '',
      `| workload | bare | strace -f pinned | eBPF helper | learn --recorder ebpf --no-policy | strace / bare | eBPF helper / bare | learn ebpf / bare |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|');
    const verdicts: string[] = [];
    const runRows: string[] = [];
    for (const w of WORKLOADS) {
      progress(w.name);
      const r = await interleaved({
        bare: () => timed([], w.argv),
        strace: () => timed(['taskset', '-c', '0', 'strace', '-f', '-o', '/dev/null'], w.argv),
        helper: () => timed(['sh', '-c', 'exec "$@" 3>/dev/null', 'sh', HELPER_PATH, '--report-fd', '3', '--spec', SPEC, '--exec', which('bash'), '--'], w.argv),
        learn: () => timed([NODE, LEARN, '--recorder', 'ebpf', '--db', db, '--quiet', '--no-policy', '--name', `bench-${w.argv[0]}`, '--'], w.argv),
      }, RUNS);
      const [bare, strace, helper, learn] = [med(r.bare), med(r.strace), med(r.helper), med(r.learn)];
      const of = (xs: readonly { runMs: number; cpuMs: number }[], k: 'runMs' | 'cpuMs') => median(xs.map((x) => x[k]));
      const [rBare, rStrace, rHelper] = [of(r.bare, 'runMs'), of(r.strace, 'runMs'), of(r.helper, 'runMs')];
      const [cBare, cStrace, cHelper] = [of(r.bare, 'cpuMs'), of(r.strace, 'cpuMs'), of(r.helper, 'cpuMs')];
      lines.push(`| \`${w.name}\` | ${fmt.ms(bare)} | ${fmt.ms(strace)} | ${fmt.ms(helper)} | ${fmt.ms(learn)} | ${fmt.ratio(strace / bare)} | ${fmt.ratio(helper / bare)} | ${fmt.ratio(learn / bare)} |`);
      runRows.push(`| \`${w.name}\` | ${fmt.ms(rBare)} | ${fmt.ms(rStrace)} | ${fmt.ms(rHelper)} | ${fmt.ratio(rStrace / rBare)} | **${fmt.ratio(rHelper / rBare)}** | ` +
        `${fmt.ms(cBare)} | ${fmt.ms(cStrace)} | ${fmt.ms(cHelper)} | ${fmt.ratio(cStrace / cBare)} | ${fmt.ratio(cHelper / cBare)} |`);
      verdicts.push(`${w.argv[0]} ${fmt.ratio(rHelper / rBare)}`);
    }

    lines.push('', 'The program\'s own run in the same rounds (bash `time` around it, so without the recorder\'s start-up, which is',
      'measured below): wall time, and user+sys CPU time of the program (a recorder\'s kernel work is charged to it; strace\'s own CPU is not).', '',
      '| workload | run bare | run under strace pinned | run under eBPF | strace / bare | eBPF / bare | CPU bare | CPU strace | CPU eBPF | strace / bare | eBPF / bare |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|', ...runRows);

    // nginx: requests/s under wrk, each variant a fresh nginx on a free port, rounds interleaved.
    const port = await freePort();
    const conf = nginxSite(dir, port);
    const runs: Record<'bare' | 'strace' | 'ebpf', NginxRun[]> = { bare: [], strace: [], ebpf: [] };
    const helperPrefix = ['sh', '-c', 'exec "$@" 3>/dev/null', 'sh', HELPER_PATH, '--report-fd', '3', '--spec', SPEC, '--exec', which('nginx'), '--', 'nginx'];
    for (let i = 0; i < NGINX_ROUNDS; i++) {
      progress(`nginx round ${i + 1}`);
      runs.bare.push(await nginxRun([], conf, port));
      runs.strace.push(await nginxRun(['taskset', '-c', '0', 'strace', '-f', '-o', '/dev/null'], conf, port));
      // the helper execs nginx by path with argv[0] 'nginx'; the -c CONF arguments follow
      runs.ebpf.push(await nginxRun(helperPrefix.slice(0, -1), conf, port));
    }
    const [nb, ns, ne] = [runs.bare, runs.strace, runs.ebpf].map((r) => median(r.map((x) => x.rps))) as [number, number, number];
    const [ub, us, ue] = [runs.bare, runs.strace, runs.ebpf].map((r) => median(r.map((x) => x.cpuUsPerRequest))) as [number, number, number];
    lines.push('', `nginx (master + 2 workers, 127.0.0.1, a 2 kB page) under \`wrk -t2 -c32 -d${WRK_SECONDS}s\`, ${NGINX_ROUNDS} interleaved rounds, medians:`,
      'requests/s, and the workers\' CPU time per request (user+sys; strace\'s own CPU not included).', '',
      '| bare | strace -f pinned | eBPF helper | bare / strace | bare / eBPF | CPU/req bare | CPU/req strace | CPU/req eBPF | eBPF / bare |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      `| ${nb.toFixed(0)} | ${ns.toFixed(0)} | ${ne.toFixed(0)} | ${fmt.ratio(nb / ns)} | ${fmt.ratio(nb / ne)} | ` +
      `${ub.toFixed(1)} µs | ${us.toFixed(1)} µs | ${ue.toFixed(1)} µs | ${fmt.ratio(ue / ub)} |`);
    verdicts.push(`nginx ${fmt.ratio(nb / ne)} fewer req/s`);

    progress('start-up');
    // Start-up: spawn → ready (probes attached, gate opened), and the whole `learn -- /bin/true`.
    const starts: number[] = [];
    for (let i = 0; i < 7; i++) starts.push(await startupMs());
    const whole = await interleaved({
      bare: () => measureOk('/bin/true', []),
      strace: () => measureOk(NODE, [LEARN, '--recorder', 'strace', '--db', db, '--quiet', '--no-policy', '--name', 'bench-true', '--', '/bin/true'], { cwd: dir }),
      ebpf: () => measureOk(NODE, [LEARN, '--recorder', 'ebpf', '--db', db, '--quiet', '--no-policy', '--name', 'bench-true', '--', '/bin/true'], { cwd: dir }),
    }, RUNS);
    const startup = median(starts);
    lines.push('', `Start-up: the helper from spawn to \`ready\` (BPF loaded, every probe attached, program released): median ${fmt.ms(startup)} ` +
      `(min ${fmt.ms(Math.min(...starts))}, max ${fmt.ms(Math.max(...starts))}, 7 runs). The whole \`learn --no-policy -- /bin/true\`: ` +
      `${fmt.ms(med(whole.ebpf))} with eBPF, ${fmt.ms(med(whole.strace))} with strace (Node's start and the store included).`);

    progress('per-syscall cost');
    // Per-syscall cost: the recorded program's own calls, and every other process's while a recording runs.
    const loop = join(dir, 'syscall-loop');
    await execa('gcc', ['-O2', '-o', loop, join(ROOT, 'bench/syscall-loop.c')]);
    const N = 2_000_000;
    const costs: Record<'bare' | 'recorded' | 'other' | 'strace', number[]> = { bare: [], recorded: [], other: [], strace: [] };
    for (let i = 0; i < RUNS; i++) {
      costs.bare.push(await nsPerCall([], loop, N));
      costs.recorded.push(await nsPerCall(['sh', '-c', 'exec "$@" 3>/dev/null', 'sh', HELPER_PATH, '--report-fd', '3', '--spec', SPEC, '--exec', loop, '--'], loop, N));
      const recording = spawn('sh', ['-c', 'exec "$@" 3>/dev/null', 'sh', HELPER_PATH, '--report-fd', '3', '--spec', SPEC, '--exec', '/bin/sleep', '--', 'sleep', '30'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 300));
      costs.other.push(await nsPerCall([], loop, N));
      recording.kill('SIGTERM');
      await new Promise((r) => recording.once('close', r));
      costs.strace.push(await nsPerCall(['taskset', '-c', '0', 'strace', '-f', '-o', '/dev/null'], loop, N / 100));
    }
    const c = Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, median(v)])) as Record<keyof typeof costs, number>;
    lines.push('', `Cost per syscall (a loop of getppid(), CPU ns per call of the loop process, median of ${RUNS}):`, '',
      '| bare | recorded by eBPF | another process while eBPF records | recorded by strace pinned |', '|---:|---:|---:|---:|',
      `| ${c.bare.toFixed(0)} | ${c.recorded.toFixed(0)} (+${(c.recorded - c.bare).toFixed(0)}) | ${c.other.toFixed(0)} (+${(c.other - c.bare).toFixed(0)}) | ${c.strace.toFixed(0)} (+${(c.strace - c.bare).toFixed(0)}) |`);
    lines.push('', `Targets: eBPF ≤ 1.15× bare on all three (the program's own run: ${verdicts.join(', ')}); start-up ≤ 0.25 s (${fmt.ms(startup)}).`);
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
