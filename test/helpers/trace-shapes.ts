// Real observations for e2e tests: run a command under `strace -f -o FILE`, parse the file with our parser,
// and aggregate the calls into learner shapes (what the store would hand the learner).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valuesByPosition } from '../../src/learn/observations.js';
import type { ObservedShape } from '../../src/learn/types.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { createStraceParser } from '../../src/trace/assemble.js';
import { ARG_SENSITIVE, argValues, shapeKey } from '../../src/trace/arg-values.js';

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Traces `argv` (stdout discarded) and returns its call shapes, as run 1. */
export function traceShapes(argv: readonly string[], options: { cwd?: string } = {}): ObservedShape[] {
  const dir = mkdtempSync(join(tmpdir(), 'learn-trace-'));
  try {
    const out = join(dir, 'trace.txt');
    execFileSync('strace', ['-f', '-o', out, ...argv], { stdio: ['ignore', 'ignore', 'inherit'], ...(options.cwd ? { cwd: options.cwd } : {}) });
    return shapesFromTrace(readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function shapesFromTrace(text: string): ObservedShape[] {
  const parser = createStraceParser();
  const events = [...text.split('\n').flatMap((l) => parser.feed(l)), ...parser.finish()];
  const shapes = new Map<string, ObservedShape & { count: number }>();
  for (const ev of events) {
    if (ev.kind !== 'syscall' || syscallNumber(ev.arch, ev.name) !== ev.nr) continue;
    const compact = argValues(ev.name, ev.args);
    const key = `${ev.arch}:${ev.name}:${shapeKey(compact)}`;
    const old = shapes.get(key);
    if (old) old.count++;
    else shapes.set(key, { arch: ev.arch, nr: ev.nr, name: ev.name, values: valuesByPosition(ARG_SENSITIVE[ev.name], compact), count: 1, runIds: [1] });
  }
  return [...shapes.values()];
}
