// Benchmark: the learner's exact category cover on an nginx-size profile (issue target: < 50 ms). The
// profile is bench/lists/nginx.txt (what nginx serving requests on 127.0.0.1 calls), over each built-in catalog.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../src/catalog/catalogs.js';
import { catalogCategories } from '../src/learn/categories.js';
import { learnPolicy } from '../src/learn/learn-policy.js';
import type { ObservedShape } from '../src/learn/types.js';
import { KILL_PROCESS, usesOf } from '../src/policy/model.js';
import { syscallNumber } from '../src/syscalls/table.js';

const LIST = fileURLToPath(new URL('../../bench/lists/nginx.txt', import.meta.url));
const ROUNDS = 21;
const TARGET_MS = 50;

export async function benchLearn(): Promise<string> {
  const names = readFileSync(LIST, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const shapes: ObservedShape[] = names.flatMap((name) => {
    const nr = syscallNumber('x86_64', name);
    return nr === undefined ? [] : [{ arch: 'x86_64' as const, nr, name, values: null, count: 1, runIds: [1] }];
  });
  const rows: string[] = [];
  for (const catalogName of ['default', 'systemd', 'pledge']) {
    const categories = catalogCategories(loadCatalog(catalogName), ['x86_64']);
    const times: number[] = [];
    let chosen: readonly string[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = process.hrtime.bigint();
      const { policy } = learnPolicy(shapes, categories, { profile: 'nginx', defaultAction: KILL_PROCESS });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      chosen = (policy.top ? usesOf(policy.top.body) : []);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    rows.push(`| ${catalogName} | ${categories.length} | ${shapes.length} | ${median.toFixed(1)} ms | ${times[times.length - 1]!.toFixed(1)} ms | ${chosen.length} | ${median < TARGET_MS ? 'met' : 'NOT met'} |`);
  }
  return [
    `Exact minimum cover (plus argument constraints and explanation: the whole \`learnPolicy\`) for nginx's ${shapes.length}`,
    `syscalls, ${ROUNDS} rounds in one process, median and max. Target < ${TARGET_MS} ms.`,
    '',
    '| catalog | categories | syscalls | median | max | categories used | target |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
