// nginx end to end on the real kernel: trace a private nginx (master + 2 workers on a free 127.0.0.1 port)
// while curl fetches its pages, learn the policy (default KILL), replay nginx under it and fetch the same
// pages again (status 200, same bytes), stop it by pid, and check the recorded run against the policy.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runLearn, scratch, spawnLearn } from '../helpers/learn-cli.js';
import { freePort } from '../helpers/processes.js';
import { missingTool } from '../helpers/tools.js';
import { writeNginxConf } from '../helpers/nginx.js';
import { replayReport } from '../helpers/replay-cli.js';

const t = suite('e2e/replay-nginx');

const skip = missingTool(['nginx', 'curl']);
if (skip) console.log(`  skipping e2e/replay-nginx: ${skip}`);
const it = skip ? t.skip : t;

const s = scratch('learn-nginx-');
t.after(() => s.cleanup());
const www = join(s.dir, 'www');
const PAGES: Record<string, string> = {
  'index.html': '<h1>replay</h1>\n',
  'a.html': `<p>${'a'.repeat(5000)}</p>\n`,
  'b.txt': 'plain text page\n',
  'big.bin': 'x'.repeat(300_000),
};

function writeSite(port: number): string {
  mkdirSync(www, { recursive: true });
  for (const [name, body] of Object.entries(PAGES)) writeFileSync(join(www, name), body);
  chmodSync(s.dir, 0o755); // workers run as an unprivileged user
  return writeNginxConf({ dir: s.dir, port, root: www, workers: 2, accessLog: true, connections: 64 });
}

/** A body as its length and hash: a failed comparison stays readable. */
const digest = (body: string): string => `${body.length} bytes, sha256 ${createHash('sha256').update(body).digest('hex').slice(0, 16)}`;

/** Fetches every page once: [name, status, body digest] each. */
async function fetchPages(port: number): Promise<[string, string, string][]> {
  const out: [string, string, string][] = [];
  for (const name of Object.keys(PAGES)) {
    const r = await execa('curl', ['-s', '-w', '\n%{http_code}', `http://127.0.0.1:${port}/${name}`], { reject: false, stripFinalNewline: false });
    const text = String(r.stdout);
    const nl = text.lastIndexOf('\n');
    out.push([name, text.slice(nl + 1), digest(text.slice(0, nl))]);
  }
  return out;
}

async function waitForPort(port: number, alive: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && alive(); i++) {
    const r = await execa('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`], { reject: false });
    if (r.exitCode === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}; error.log: ${readFileSync(join(s.dir, 'error.log'), 'utf8').slice(-500)}`);
}

const want = (): [string, string, string][] => Object.entries(PAGES).map(([name, body]) => [name, '200', digest(body)]);

it('learned under curl traffic, nginx replays under its KILL policy, serves the same pages, and check passes', async () => {
  const port = await freePort();
  const conf = writeSite(port);
  const nginx = ['nginx', '-p', s.dir, '-c', conf, '-g', 'daemon off;'];
  const out = join(s.dir, 'policies');

  // Trace for 4 s while fetching the pages in a loop that ends a second before learn stops nginx.
  const stopFetching = Date.now() + 3000;
  const traced = spawnLearn(['--duration', '4', '--db', s.db, '--name', 'nginx', '--', ...nginx]);
  let tracing = true;
  void traced.finally(() => (tracing = false));
  await waitForPort(port, () => tracing);
  let rounds = 0;
  while (tracing && Date.now() < stopFetching) {
    assert.equal(await fetchPages(port), want(), 'nginx under strace serves the pages');
    rounds++;
  }
  const t1 = await traced;
  assert.ok(rounds >= 2, `only ${rounds} rounds of requests`);
  assert.ok(t1.exitCode === 0 || t1.exitCode === 143, `learn exited ${t1.exitCode}: ${String(t1.stderr)}`);

  const learned = await runLearn(['policy', 'nginx', '--db', s.db, '--out', out]);
  assert.is(learned.exitCode, 0, learned.stderr);
  const policy = join(out, 'nginx.policy');
  assert.match(readFileSync(policy, 'utf8'), /DEFAULT KILL\s*$/);

  // Replay under the learned policy; stop nginx by its pid (the target keeps the loader's pid).
  const replay = spawnLearn(['replay', policy, '--json', '--', ...nginx]);
  let replaying = true;
  void replay.finally(() => (replaying = false));
  await waitForPort(port, () => replaying);
  assert.equal(await fetchPages(port), want(), 'nginx under the filter serves the same pages');
  assert.equal(await fetchPages(port), want(), 'and again');
  const pid = Number(readFileSync(join(s.dir, 'nginx.pid'), 'utf8'));
  process.kill(pid, 'SIGQUIT');
  const r = await replay;
  const report = replayReport(String(r.stdout));
  assert.is(report.pid, pid, 'the pid file names the target');
  assert.is(r.exitCode, 0, String(r.stderr));
  assert.is(report.outcome.kind, 'exited');
  if (report.audit?.available !== false) assert.equal(report.violations, [], 'no worker was killed');

  // The recorded run, and the whole profile, against the policy: nothing denied.
  for (const source of [['--run', '1'], ['--profile', 'nginx']]) {
    const c = await runLearn(['check', policy, ...source, '--db', s.db]);
    assert.is(c.exitCode, 0, c.stdout + c.stderr);
    assert.match(c.stdout, ': all allowed');
  }
});

t.run();
