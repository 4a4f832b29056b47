// Pure code in the middle, I/O at the edges: only the files named here may touch files, processes, the
// store, the clock or randomness, and nothing outside src/cli imports the CLI.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const t = suite('layering');
const SRC = new URL('../../../src/', import.meta.url).pathname;

/** The edges: each is the one place its mechanism lives. */
const EDGES = new Set([
  'catalog/catalogs.ts', // reads the built-in catalog files
  'catalog/include-files.ts', // reads #include'd policy files
  'container/runtime-calls.ts', // reads the measured runtime data (policies/runtimes)
  'diff/read-side.ts', 'diff/profile-side.ts', // read diff inputs: files and the store
  'trace/run-strace.ts', 'trace/tail-file.ts', // spawns strace, reads its output
  'replay/filter-cache.ts', 'replay/launch.ts', 'replay/launch-bwrap.ts', 'replay/loader-entry.ts',
  'replay/native.ts', 'replay/resolve-command.ts', 'replay/tree-watch.ts', 'replay/audit-violations.ts',
  'replay/execve-check.ts', 'replay/libc.ts', 'replay/notify-native.ts', 'replay/supervisor.ts', 'replay/supervisor-worker.ts',
  'replay/unit.ts',
  'record/ebpf/preconditions.ts', 'record/ebpf/session.ts', // read this machine's facts, run the eBPF helper
]);
const EDGE_DIRS = ['cli/', 'store/', 'audit/sources/', 'os/'];
// node:os is left out: its `constants` (signal numbers) are facts, not I/O. Type-only imports are fine.
const IO_IMPORT = /^import (?!type )[^;]*from '(node:fs|node:fs\/promises|node:child_process|execa|better-sqlite3|split2|koffi|chalk|commander)'/m;
const IO_USE = /\bprocess\.(?!arch\b)|\bDate\.now\(|\bMath\.random\(/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

const sources = files(SRC).map((f) => ({ path: relative(SRC, f), text: readFileSync(f, 'utf8') }));

t('there are sources to check', () => {
  assert.ok(sources.length > 100, `only ${sources.length} files under src/`);
});

for (const { path, text } of sources) {
  const edge = EDGES.has(path) || EDGE_DIRS.some((d) => path.startsWith(d));
  if (!edge) {
    t(`${path} is pure`, () => {
      const code = text.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      assert.not.match(code, IO_IMPORT, `${path} imports an I/O module`);
      assert.not.match(code, IO_USE, `${path} uses the process, the clock or randomness`);
    });
  }
  if (!path.startsWith('cli/')) {
    t(`${path} does not import the CLI`, () => {
      assert.not.match(text, /from '(\.\.\/)+cli\//, `${path} imports from src/cli`);
    });
  }
}

t.run();
