// Fuzzing the strace and audit readers: seeded mutations of the fixtures (test/helpers/mutate.ts) through
// the same code as from-strace/from-audit, in a child process (fuzz-readers-worker.ts) so its peak RSS is
// measured alone. 0 crashes (any throw but the typed input errors; stack traces count), no input over 5 s,
// peak RSS under 300 MB. FUZZ_COUNT sets the number (`npm run fuzz`: 50,000), FUZZ_SEED the seed.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FuzzReport } from '../helpers/fuzz-readers-worker.js';

const t = suite('fuzz/readers');

const COUNT = Number(process.env.FUZZ_COUNT ?? 6_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const MAX_RSS = 300 << 20;
const WORKER = fileURLToPath(new URL('../helpers/fuzz-readers-worker.js', import.meta.url));

/** Runs the worker; on a timeout kills it (by its pid) and names the input it was on. */
function runWorker(seed: number, count: number, timeoutMs: number): Promise<FuzzReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WORKER, String(seed), String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let last = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      const lines = d.toString().trimEnd().split('\n');
      last = lines[lines.length - 1] ?? last;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`seed ${seed}: no result after ${timeoutMs} ms; last input started: ${last}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`seed ${seed}: worker exited ${code}; last input: ${last}`));
      resolve(JSON.parse(out) as FuzzReport);
    });
  });
}

t(`${COUNT} mutated strace lines/files and audit records: no crash, none over 5 s, RSS under 300 MB`, async () => {
  console.log(`fuzz readers: seed ${SEED}, ${COUNT} inputs (rerun with FUZZ_SEED=${SEED} FUZZ_COUNT=${COUNT})`);
  const report = await runWorker(SEED, COUNT, 60_000 + COUNT * 20);
  console.log(`fuzz readers: ${JSON.stringify(report.byKind)}, slowest ${report.maxMs} ms, peak RSS ${(report.maxRssBytes / 2 ** 20).toFixed(0)} MB`);
  assert.is(report.count, COUNT);
  assert.equal(report.crashes, [], `seed ${SEED}: ${JSON.stringify(report.crashes.slice(0, 3), null, 1)}`);
  assert.equal(report.slow, [], `seed ${SEED}`);
  assert.ok(report.maxRssBytes < MAX_RSS, `peak RSS ${report.maxRssBytes} bytes`);
});

t.run();
