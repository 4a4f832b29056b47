// Policy quality: is a learned policy tight (allows little beyond what was observed, grants no risky call that
// was never seen) and robust (the program keeps working on held-out workloads)? Each program of
// quality-programs.ts is learned once under real strace; a policy is written per catalog and level from that
// profile; every held-out workload then runs bare twice (a workload whose two bare outputs differ is dropped and
// reported) and once under `learn replay` per policy, in the real kernel. A pass = same exit status, stdout and
// produced files as the bare run. `npm run bench -- quality` runs only this section.
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { riskOf } from '../src/diff/risk.js';
import { freePort } from '../test/helpers/processes.js';
import { QUALITY_PROGRAMS, type QualityProgram } from './quality-programs.js';

const LEARN = fileURLToPath(new URL('../../bin/learn.js', import.meta.url));

/** One policy flavour the table compares: a catalog at a profile level, or --strict. */
interface Config {
  readonly label: string;
  readonly args: readonly string[];
}
const CONFIGS: readonly Config[] = [
  ...['strict', 'tight', 'balanced', 'broad'].map((level) => ({ label: `default, --profile-level ${level}`, args: ['--catalog', 'default', '--profile-level', level] })),
  { label: 'systemd', args: ['--catalog', 'systemd'] },
  { label: 'pledge', args: ['--catalog', 'pledge'] },
  { label: '--strict (exact observed)', args: ['--strict'] },
];

// No pyenv shims (bash scripts) in the programs' way; fixed dates so git and tar outputs repeat.
const ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', TZ: 'UTC',
  GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@example.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@example.invalid',
  GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z', GIT_CONFIG_NOSYSTEM: '1',
};

interface Output {
  readonly code: number | undefined;
  readonly digest: string;
}


/** Every file and directory below `dir` with its content hash (not its times). */
function treeDigest(dir: string, into = createHash('sha256'), prefix = ''): ReturnType<typeof createHash> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st === undefined) continue;
    into.update(`${prefix}${name}${st.isDirectory() ? '/' : ''} ${(st.mode & 0o777).toString(8)}\n`);
    if (st.isDirectory()) treeDigest(path, into, `${prefix}${name}/`);
    else if (st.isFile()) into.update(readFileSync(path));
  }
  return into;
}

/** Runs `argv` in a fresh copy of `data`; the output is the exit status, stdout and the files left behind. */
async function runIn(data: string, work: string, argv: readonly string[]): Promise<Output & { stderr: string }> {
  rmSync(work, { recursive: true, force: true });
  cpSync(data, work, { recursive: true, preserveTimestamps: true });
  const r = await execa(argv[0]!, argv.slice(1), { cwd: work, env: ENV, extendEnv: false, reject: false, stdin: 'ignore', timeout: 60_000 });
  const digest = createHash('sha256').update(r.stdout).update(treeDigest(work).digest()).digest('hex');
  return { code: r.exitCode, digest, stderr: r.stderr };
}

interface PolicyStats {
  readonly allowed: number;
  readonly observed: number;
  readonly riskyUnseen: readonly string[];
}

function policyStats(jsonFile: string, observed: ReadonlySet<string>): PolicyStats {
  const model = JSON.parse(readFileSync(jsonFile, 'utf8')) as { resolved: { arch: string; syscalls: { name: string; clauses: { action: { kind: string } }[] }[] }[] };
  const native = model.resolved.find((r) => r.arch === 'x86_64') ?? model.resolved[0]!;
  const allowed = native.syscalls.filter((s) => s.clauses.some((c) => c.action.kind === 'allow' || c.action.kind === 'log')).map((s) => s.name);
  const riskyUnseen = allowed.filter((n) => !observed.has(n) && ['high', 'critical'].includes(riskOf(n).level));
  return { allowed: allowed.length, observed: observed.size, riskyUnseen };
}

interface Cell {
  samePass: number;
  sameRun: number;
  nearPass: number;
  nearRun: number;
  beyondRefused: number;
  beyondRun: number;
  ratios: number[];
  risky: string[];
  failures: string[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function startCurlServer(root: string, port: number): Promise<() => Promise<void>> {
  mkdirSync(join(root, 'www'), { recursive: true });
  mkdirSync(join(root, 'logs'), { recursive: true });
  writeFileSync(join(root, 'www', 'a.txt'), Array.from({ length: 400 }, (_, i) => `${i}\n`).join(''));
  writeFileSync(join(root, 'www', 'b.txt'), Array.from({ length: 900 }, (_, i) => `line ${i}\n`).join(''));
  writeFileSync(join(root, 'nginx.conf'), `worker_processes 1; error_log logs/error.log; pid logs/nginx.pid;
events { worker_connections 64; }
http { access_log off; client_body_temp_path logs; proxy_temp_path logs; fastcgi_temp_path logs; uwsgi_temp_path logs; scgi_temp_path logs;
  server { listen 127.0.0.1:${port}; root www; } }\n`);
  const child = execa('nginx', ['-p', root, '-c', 'nginx.conf', '-g', 'daemon off;'], { reject: false, stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const r = await execa('curl', ['-sf', '-o', '/dev/null', `http://127.0.0.1:${port}/a.txt`], { reject: false });
    if (r.exitCode === 0) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  return async () => {
    child.kill('SIGQUIT');
    await child;
  };
}

function fill(script: string, ports: { port: number; ngx: number }): string {
  return script.replaceAll('@PORT@', String(ports.port)).replaceAll('@NGXPORT@', String(ports.ngx));
}

async function benchProgram(program: QualityProgram, root: string, port: number, cells: Map<string, Cell>, dropped: string[], log: (s: string) => void): Promise<void> {
  const ports = { port, ngx: await freePort() };
  const base = join(root, program.name);
  const data = join(base, 'data');
  mkdirSync(data, { recursive: true });
  const setup = await execa('/bin/sh', ['-c', fill(program.setup, ports)], { cwd: data, env: ENV, extendEnv: false, reject: false });
  if (setup.exitCode !== 0) throw new Error(`${program.name}: setup failed: ${setup.stderr}`);
  const db = join(base, 'learn.db');
  const learned = await runIn(data, join(base, 'learn-run'),
    [process.execPath, LEARN, '--quiet', '--db', db, '--name', program.name, '--no-policy', '--', '/bin/sh', '-c', fill(program.learn, ports)]);
  if (learned.code !== 0) throw new Error(`${program.name}: learn run exited ${learned.code}: ${learned.stderr}`);
  const shown = await execa(process.execPath, [LEARN, 'show', program.name, '--db', db, '--json'], { env: ENV, extendEnv: false });
  const observed = new Set((JSON.parse(shown.stdout) as { syscalls: { name: string }[] }).syscalls.map((s) => s.name));
  const policies = new Map<string, string>();
  for (const config of CONFIGS) {
    const out = join(base, `policy-${policies.size}`);
    const r = await execa(process.execPath, [LEARN, 'policy', program.name, '--db', db, '--out', out, '--format', 'kafel,json', ...config.args],
      { env: ENV, extendEnv: false, reject: false });
    if (r.exitCode !== 0) throw new Error(`${program.name}: learn policy ${config.args.join(' ')}: ${r.stderr}`);
    policies.set(config.label, join(out, program.name));
    const cell = cells.get(config.label)!;
    const stats = policyStats(join(out, `${program.name}.json`), observed);
    cell.ratios.push(stats.allowed / stats.observed);
    cell.risky.push(...stats.riskyUnseen.map((n) => `${program.name}:${n}`));
    log(`${program.name} ${config.label}: allows ${stats.allowed} of which observed ${stats.observed}`);
  }
  const heldOut = [...program.same.map((s) => ['same', s] as const), ...program.near.map((s) => ['near', s] as const),
    ...(program.beyond ?? []).map((s) => ['beyond', s] as const)];
  for (const [kind, raw] of heldOut) {
    const argv = ['/bin/sh', '-c', fill(raw, ports)];
    const bare = await runIn(data, join(base, 'bare'), argv);
    const again = await runIn(data, join(base, 'bare'), argv);
    if (bare.digest !== again.digest || bare.code !== again.code) {
      dropped.push(`${program.name} (${kind}): \`${raw}\``);
      continue;
    }
    for (const config of CONFIGS) {
      const r = await runIn(data, join(base, 'replay'), [process.execPath, LEARN, 'replay', `${policies.get(config.label)!}.policy`, '--', ...argv]);
      const pass = r.code === bare.code && r.digest === bare.digest;
      const cell = cells.get(config.label)!;
      if (kind === 'beyond') {
        // Refused: killed by the filter (159), not merely a different output.
        (cell.beyondRun++, r.code === 159 && cell.beyondRefused++);
        continue;
      }
      if (kind === 'same') (cell.sameRun++, pass && cell.samePass++);
      else (cell.nearRun++, pass && cell.nearPass++);
      if (!pass) {
        const killed = /killed by SIGSYS at (\S+)/.exec(r.stderr)?.[1] ?? /^learn replay:\s+(\w+) \(\w+, nr \d+\)/m.exec(r.stderr)?.[1];
        cell.failures.push(`${program.name} ${kind} \`${raw.slice(0, 40)}\`${killed ? ` (${killed})` : ` (exit ${r.code})`}`);
      }
    }
    log(`${program.name} ${kind} done`);
  }
}

export async function benchQuality(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'learn-quality-'));
  const port = await freePort();
  const stopServer = await startCurlServer(join(root, 'server'), port);
  const cells = new Map(CONFIGS.map((c) => [c.label, { samePass: 0, sameRun: 0, nearPass: 0, nearRun: 0, beyondRefused: 0, beyondRun: 0, ratios: [], risky: [], failures: [] } as Cell]));
  const dropped: string[] = [];
  const only = process.env['QUALITY_ONLY']?.split(',');
  try {
    for (const program of QUALITY_PROGRAMS.filter((p) => only === undefined || only.includes(p.name))) {
      await benchProgram(program, root, port, cells, dropped, (s) => process.stderr.write(`\n  quality: ${s}`));
    }
  } finally {
    await stopServer();
    rmSync(root, { recursive: true, force: true });
  }
  const lines = [
    `### Policy quality: ${QUALITY_PROGRAMS.length} programs, learned on one workload, replayed on held-out ones`,
    '',
    'Learned under real strace, replayed under `learn replay` (KILL on anything denied) in the real kernel. A pass is the',
    'same exit status, stdout and produced files (names, modes, contents) as a bare run. allowed ÷ observed: distinct',
    'x86_64 syscalls the policy allows over those the learn run made (median over programs). High-risk never seen:',
    'syscalls of risk level high or critical (src/diff/risk-table.ts) the policy allows but the learn run never made.',
    'New capability refused: workloads that write files after a read-only learn run, killed by the filter (as they must be).',
    '',
    '| catalog / level | same passes | near passes | allowed ÷ observed (median) | high-risk granted, never seen | new capability refused |',
    '|---|---|---|---|---|---|',
    ...CONFIGS.map((c) => {
      const x = cells.get(c.label)!;
      return `| ${c.label} | ${x.samePass}/${x.sameRun} | ${x.nearPass}/${x.nearRun} | ${median(x.ratios).toFixed(2)}× | ${x.risky.length} | ${x.beyondRefused}/${x.beyondRun} |`;
    }),
    '',
    `Dropped held-outs (two bare runs differed): ${dropped.length === 0 ? 'none' : dropped.join('; ')}.`,
    '',
    'Failures and risky grants per row:',
    '',
    ...CONFIGS.map((c) => {
      const x = cells.get(c.label)!;
      return `- ${c.label}: failures ${x.failures.length === 0 ? 'none' : x.failures.join('; ')}; high-risk ${x.risky.length === 0 ? 'none' : x.risky.join(' ')}`;
    }),
    '',
  ];
  return lines.join('\n');
}
