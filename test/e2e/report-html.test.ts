// `learn report --html` on a real nginx profile (master + 2 workers on a free 127.0.0.1 port, traced under
// curl traffic with --record-events so each call is tied to its process), opened in headless Chromium with the
// network off: no console errors, no request beyond the file itself, every observed syscall on the page.
// LEARN_SCREENSHOT=docs/report-nginx.png keeps the screenshot (the one in the README is made so).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, runLearn, scratch, spawnLearn } from '../helpers/learn-cli.js';
import { freePort } from '../helpers/processes.js';
import { missingTool } from '../helpers/tools.js';
import { writeNginxConf } from '../helpers/nginx.js';

const t = suite('e2e/report-html');
const CHROMIUM = '/usr/bin/chromium';

const skip = existsSync(CHROMIUM) ? missingTool(['nginx', 'curl']) : `${CHROMIUM} is not installed (apt-get install chromium)`;
if (skip) console.log(`  skipping e2e/report-html: ${skip}`);
const it = skip ? t.skip : t;

const s = scratch('learn-report-');
t.after(() => s.cleanup());


function writeSite(port: number): string {
  const www = join(s.dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), '<h1>report</h1>\n');
  writeFileSync(join(www, 'big.bin'), 'x'.repeat(200_000));
  execFileSync('chmod', ['755', s.dir]); // workers run as an unprivileged user
  return writeNginxConf({ dir: s.dir, port, root: www, workers: 2, accessLog: true, connections: 64 });
}

interface PageCheck {
  readonly text: string;
  readonly errors: readonly string[];
  readonly requests: readonly string[];
}

/** Opens `file` offline in headless Chromium (a fresh profile, nothing phoning home) and screenshots it. */
async function openOffline(file: string, screenshot: string): Promise<PageCheck> {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${join(s.dir, 'chromium-profile')}`],
  });
  try {
    const page = await browser.newPage();
    await page.setOfflineMode(true);
    await page.setViewport({ width: 1200, height: 1400 });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    await page.screenshot({ path: screenshot as `${string}.png` });
    const text = String(await page.evaluate('document.body.innerText'));
    return { text, errors, requests };
  } finally {
    await browser.close();
  }
}

it('the nginx report opens offline without errors and shows every observed syscall', async () => {
  const port = await freePort();
  const conf = writeSite(port);
  const nginx = ['nginx', '-p', s.dir, '-c', conf, '-g', 'daemon off;'];
  const traced = spawnLearn(['--duration', '3', '--record-events', '--no-policy', '--db', s.db, '--name', 'nginx', '--', ...nginx]);
  let tracing = true;
  void traced.finally(() => (tracing = false));
  for (let i = 0; i < 100 && tracing; i++) {
    if ((await execa('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`], { reject: false })).exitCode === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (let i = 0; i < 5 && tracing; i++) {
    for (const page of ['index.html', 'big.bin']) await execa('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/${page}`], { reject: false });
  }
  const t1 = await traced;
  assert.ok(t1.exitCode === 0 || t1.exitCode === 143, `learn exited ${t1.exitCode}: ${String(t1.stderr)}`);

  const out = join(s.dir, 'policies');
  const learned = await runLearn(['policy', 'nginx', '--db', s.db, '--out', out, '--format', 'kafel']);
  assert.is(learned.exitCode, 0, learned.stderr);
  const html = join(s.dir, 'nginx.html');
  const r = await runLearn(['report', 'policies/nginx.policy', '--db', s.db, '--html', html], { cwd: s.dir });
  assert.is(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^seccomp policy report: policies\/nginx\.policy \(x86_64, default action KILL\)/);
  assert.match(r.stdout, /observed syscalls: \d+, \d+ calls\n/);
  assert.not.match(readFileSync(html, 'utf8'), /(src|href)=["']?https?:/, 'nothing is loaded from the network');

  const shown = JSON.parse((await runLearn(['show', 'nginx', '--db', s.db, '--json'])).stdout) as { syscalls: { name: string }[] };
  const names = [...new Set(shown.syscalls.map((x) => x.name))];
  assert.ok(names.includes('accept4') && names.includes('epoll_wait'), names.join(' '));
  const png = join(s.dir, 'report.png');
  const page = await openOffline(html, png);
  assert.equal(page.errors, [], 'no console errors');
  assert.equal(page.requests, [`file://${html}`], 'the page loads nothing but itself');
  const missing = names.filter((n) => !new RegExp(`\\b${n}\\b`).test(page.text));
  assert.equal(missing, [], 'every observed syscall is on the page');
  assert.match(page.text, /Categories: observed vs granted/);
  assert.match(page.text, /nginx \(3 processes\)/, 'calls are tied to the processes that made them: master and workers');
  assert.ok(statSync(png).size > 10_000, 'a real screenshot');
  const keep = process.env.LEARN_SCREENSHOT;
  if (keep !== undefined && keep !== '') copyFileSync(png, resolve(ROOT, keep));

  // The drift view: the committed policy against the profile with a socket family it never had.
  const drift = join(s.dir, 'drift.html');
  const widened = readFileSync(join(out, 'nginx.policy'), 'utf8').replace(/DEFAULT KILL/, 'DEFAULT LOG');
  writeFileSync(join(s.dir, 'loose.policy'), widened);
  const d = await runLearn(['diff', join(out, 'nginx.policy'), join(s.dir, 'loose.policy'), '--format', 'html']);
  assert.is(d.exitCode, 1, d.stderr);
  writeFileSync(drift, d.stdout);
  const view = await openOffline(drift, join(s.dir, 'drift.png'));
  assert.equal(view.errors, []);
  assert.match(view.text, /critical\s+critical: default action KILL → LOG/);
});

t.run();
