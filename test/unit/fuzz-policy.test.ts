// Fuzzed policy text (seeded mutations of the catalogs, fixtures/kafel and a few hostile seeds: truncation,
// byte flips, 1 MB identifiers, 20 k nesting, #define and #include loops) through the whole policy path —
// parse, resolve, compile, print and read back, OCI out and back in — never throws anything but our own
// errors, never says "internal error", and never takes seconds. FUZZ_COUNT sets the number of inputs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePolicy } from '../../src/bpf/compile.js';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { ToolError } from '../../src/errors.js';
import { printPolicy } from '../../src/policy/emit/kafel.js';
import { emitOci } from '../../src/policy/emit/oci.js';
import { parseOciSeccomp } from '../../src/policy/parse-oci.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import { mutations } from '../helpers/mutate.js';
import { testSeed } from '../helpers/bpf-random.js';

const t = suite('fuzz/policy');
const COUNT = Number(process.env.FUZZ_COUNT ?? 5000);
const SLOW_MS = 5000;

const ROOT = new URL('../../../', import.meta.url).pathname;
const read = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => /\.(policy|inc)$/.test(f)).map((f) => readFileSync(join(ROOT, dir, f), 'utf8'));
const HOSTILE = [
  '#define A B\n#define B A\nALLOW { read(x) { x == A } }',
  '#define A 1\n#define A 2\n',
  '#include "self.policy"\nALLOW { read }',
  '#include "a.policy" "b.policy"; USE a DEFAULT KILL',
  'POLICY a { USE b } POLICY b { USE a } USE a DEFAULT KILL',
  `ALLOW { read { ${'('.repeat(300)}arg0 == 1${')'.repeat(300)} } }`,
  `ALLOW { read { ${'!'.repeat(5000)}(arg0 == 1) } }`,
  `ALLOW { read { ${Array.from({ length: 3000 }, (_, i) => `arg0 == ${i}`).join(' || ')} } }`,
  `${Array.from({ length: 2000 }, (_, i) => `POLICY p${i} { USE p${i + 1} }`).join('\n')}\nPOLICY p2000 { ALLOW { read } }\nUSE p0 DEFAULT KILL`,
  'ALLOW { SYSCALL[-1], SYSCALL[0xffffffff] ON x86, fcntl(fd) { fd == 0x100001234 } } DEFAULT TRAP(65535)',
];
const BASES = [...read('policies/catalogs'), ...read('fixtures/kafel'), ...HOSTILE];
/** #include reads these by name, so includes of includes and include cycles are fuzzed too. */
const FILES = new Map([['self.policy', HOSTILE[2]!], ['a.policy', '#include "b.policy"\nPOLICY a {}'], ['b.policy', '#include "a.policy"\n'], ['base.inc', BASES[BASES.length - 4]!]]);
const include = (name: string) => {
  const text = FILES.get(name);
  if (text === undefined) throw new Error('ENOENT');
  return { file: name, text };
};

function pipeline(text: string): void {
  const catalog = loadCatalog('default');
  const parsed = parsePolicy(text, 'fuzz.policy', { arch: 'x86_64', include });
  printPolicy(parsed);
  if (!parsed.top) return;
  const resolved = resolvePolicy(parsed, 'x86_64', { catalog, fileName: 'fuzz.policy', onWarning: () => {} });
  const again = resolvePolicy(parsePolicy(printPolicy(parsed), 'printed.policy'), 'x86_64', { catalog });
  assert.equal(again, resolved, 'the printed policy resolves to the same rules');
  compilePolicy(resolved);
  parseOciSeccomp(emitOci(resolved).text, 'fuzz.oci.json', 'x86_64');
}

t(`${COUNT} mutated policies: only our errors, none "internal", none slow`, () => {
  const seed = testSeed('policy fuzz');
  const crashes: string[] = [];
  let accepted = 0;
  let slowest = 0;
  for (const m of mutations(seed, BASES, COUNT, 1 << 20)) {
    const started = performance.now();
    try {
      pipeline(m.text);
      accepted++;
    } catch (error) {
      const ours = error instanceof ToolError && !/internal error/i.test(error.message);
      if (!ours && crashes.length < 5) crashes.push(`#${m.index} (${m.kind}, ${m.text.length} bytes): ${(error as Error)?.stack ?? String(error)}`);
      if (!ours && crashes.length >= 5) crashes.push('');
    }
    const ms = performance.now() - started;
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) crashes.push(`#${m.index} (${m.kind}, ${m.text.length} bytes) took ${ms.toFixed(0)} ms`);
  }
  console.log(`policy fuzz: ${COUNT} inputs, ${accepted} accepted whole, slowest ${slowest.toFixed(0)} ms`);
  assert.is(crashes.filter(Boolean).length, 0, `seed ${seed} (rerun with BPF_SEED=${seed}):\n${crashes.filter(Boolean).join('\n\n')}`);
  assert.ok(accepted > COUNT / 50, `only ${accepted} inputs got through the whole path: the mutations are too destructive to test it`);
});

t('the hostile seeds as they are', () => {
  for (const text of HOSTILE) {
    try {
      pipeline(text);
    } catch (error) {
      assert.ok(error instanceof ToolError, `${text.slice(0, 60)}: ${(error as Error).stack}`);
    }
  }
});

t.run();
