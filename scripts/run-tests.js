#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with uvu, then prints the closing line
// `N passed, N failed` that CI reads. Extra arguments filter test files by substring: `npm test -- bpf`.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []);
}
const files = find(join(root, 'dist/test'))
  .map((f) => relative(join(root, 'dist/test'), f))
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// uvu takes a directory and a pattern; match exactly the selected files.
const escaped = files.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const pattern = `^(${escaped.join('|')})$`;
const child = spawn(process.execPath, [join(root, 'node_modules/uvu/bin.js'), 'dist/test', pattern, '--no-color'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1' },
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
child.on('close', (code, signal) => {
  const total = Number(/Total:\s+(\d+)/.exec(tail)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(tail)?.[1] ?? NaN);
  if (!Number.isFinite(total) || !Number.isFinite(passed)) {
    console.log(`\nthe test runner ended early (${signal ?? `exit ${code}`})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const failed = Math.max(total - passed, code === 0 ? 0 : 1);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
