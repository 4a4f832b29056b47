// parsePolicy(printPolicy(p)) deep-equals p: on the built-in catalogs, the fixtures and random policies.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinCatalogNames, loadCatalog } from '../../src/catalog/catalogs.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { printPolicy } from '../../src/policy/emit/kafel.js';
import { ARG_MASK_ALL, blocksOf, bodyOf, type Action, type CmpOp, type Entry, type Expr, type PolicyDef, type PolicyFile, type Rule } from '../../src/policy/model.js';
import { syscallNames } from '../../src/syscalls/table.js';

const t = suite('policy/roundtrip');

function roundTrip(p: PolicyFile, label: string): void {
  const text = printPolicy(p);
  let back: PolicyFile;
  try {
    back = parsePolicy(text, label);
  } catch (error) {
    throw new Error(`${label}: printed text does not parse: ${(error as Error).message}\n${text}`);
  }
  assert.equal(back, p, `${label}:\n${text}`);
  assert.is(printPolicy(back), text, `${label}: printing is not deterministic`);
}

for (const name of builtinCatalogNames()) {
  t(`catalog ${name}`, () => {
    const catalog = loadCatalog(name);
    const p = parsePolicy(readFileSync(catalog.file, 'utf8'), catalog.file);
    assert.ok(p.header.length > 0, 'catalog files start with a header comment');
    assert.ok(p.defs.every((d) => d.doc.length > 0), 'every category is documented');
    roundTrip(p, name);
  });
}

t('fixtures', () => {
  for (const name of ['nginx-learned.policy', 'kafel-features.policy']) {
    roundTrip(parsePolicy(readFileSync(new URL(`../../../fixtures/policies/valid/${name}`, import.meta.url), 'utf8'), name), name);
  }
});

// A small deterministic PRNG so a failing seed can be replayed.
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SYSCALLS = syscallNames('x86_64');
const PARAM_NAMES = ['fd', 'flags', 'domain', 'type', 'protocol', 'addr', 'len', 'prot', 'cmd', 'arg'];
const OPS: CmpOp[] = ['==', '!=', '<', '<=', '>', '>='];
const TEXT_CHARS = 'abcXYZ 019 ,.;:()[]{}*/#@`\'"-=&|!<>_\\';

function randomPolicy(rnd: () => number): PolicyFile {
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const u64 = (): bigint => {
    switch (int(4)) {
      case 0: return BigInt(int(10));
      case 1: return BigInt(int(0x10000));
      case 2: return ARG_MASK_ALL;
      default: return (BigInt(int(2 ** 32)) << 32n) | BigInt(int(2 ** 32));
    }
  };
  const text = () => Array.from({ length: int(30) }, () => pick([...TEXT_CHARS])).join('');
  const lines = () => Array.from({ length: int(3) }, text);
  const action = (): Action => {
    const kinds = ['allow', 'log', 'errno', 'trap', 'kill-process', 'kill-thread', 'user-notif'] as const;
    const kind = pick(kinds);
    return kind === 'errno' ? { kind, errno: int(4096) } : { kind };
  };
  // Canonical shape, as the parser builds it: flat and/or with 2+ items, no `and` directly in `and`.
  const expr = (nargs: number, depth: number, parent: 'and' | 'or' | null): Expr => {
    const r = depth === 0 ? 0 : int(6);
    if (r <= 2) return { kind: 'cmp', arg: int(nargs), mask: rnd() < 0.5 ? ARG_MASK_ALL : u64(), op: pick(OPS), value: u64() };
    if (r === 3) return { kind: 'not', expr: expr(nargs, depth - 1, null) };
    const kind = r === 4 ? 'and' : 'or';
    if (kind === parent) return { kind: 'cmp', arg: 0, mask: ARG_MASK_ALL, op: '==', value: 1n };
    return { kind, items: Array.from({ length: 2 + int(3) }, () => expr(nargs, depth - 1, kind)) };
  };
  const rule = (): Rule => {
    const syscall = pick(SYSCALLS);
    if (rnd() < 0.6) return { syscall, params: [], when: null };
    const params = PARAM_NAMES.slice(int(4)).slice(0, 1 + int(6));
    const when = rnd() < 0.05 ? { kind: rnd() < 0.5 ? 'true' as const : 'false' as const } : expr(params.length, 3, null);
    return { syscall, params, when };
  };
  const defs: PolicyDef[] = [];
  for (let i = 0, n = int(5); i < n; i++) {
    const earlier = defs.map((d) => d.name);
    defs.push({
      name: `P${i}_${pick(['io', 'Net', 'x'])}`,
      // USEs and blocks interleaved: their order is the order rules are tried in, and must survive printing.
      body: shuffle(rnd, [
        ...earlier.filter(() => rnd() < 0.3).map((name): Entry => ({ kind: 'use', name })),
        ...Array.from({ length: int(4) }, (): Entry => ({
          kind: 'block',
          action: action(),
          rules: Array.from({ length: int(6) }, rule).sort((a, b) => (a.syscall < b.syscall ? -1 : a.syscall > b.syscall ? 1 : 0)),
        })),
      ]),
      doc: lines(),
    });
  }
  const names = defs.map((d) => d.name);
  const top = names.length > 0 && rnd() < 0.7 ? { body: bodyOf(names.filter(() => rnd() < 0.6).concat(names[0]!), []), defaultAction: action() } : null;
  return { header: lines(), defs, top };
}

function shuffle<T>(rnd: () => number, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

t('random policies (seeded)', () => {
  const base = Number(process.env.SEED ?? Date.now() % 1_000_000);
  let conditions = 0;
  for (let i = 0; i < 300; i++) {
    const seed = base + i;
    const p = randomPolicy(mulberry32(seed));
    conditions += p.defs.flatMap((d) => blocksOf(d.body).flatMap((b) => b.rules)).filter((r) => r.when !== null).length;
    roundTrip(p, `random policy, seed ${seed} (rerun with SEED=${seed})`);
  }
  assert.ok(conditions > 300, `the generator made only ${conditions} conditional rules`);
});

t('printer output is canonical: sorted rules, packed names, one condition per line', () => {
  const text = printPolicy(parsePolicy('POLICY p { ALLOW { write, socket(d) { 2 == d }, read } }\nUSE p DEFAULT ERRNO(1)', 't'));
  assert.is(text, 'POLICY p {\n  ALLOW {\n    read,\n    socket(d) { d == 2 },\n    write\n  }\n}\n\nUSE p DEFAULT ERRNO(1)\n');
});

t('printer: hex for masks and large values, minimal parentheses, arguments beyond params get names', () => {
  const p: PolicyFile = {
    header: [],
    defs: [{
      name: 'p', doc: [],
      body: bodyOf([], [{
        action: { kind: 'allow' },
        rules: [{
          syscall: 'mmap', params: ['addr'],
          when: {
            kind: 'or',
            items: [
              { kind: 'and', items: [{ kind: 'cmp', arg: 2, mask: 4n, op: '==', value: 0n }, { kind: 'cmp', arg: 0, mask: ARG_MASK_ALL, op: '>=', value: 0x10000n }] },
              { kind: 'not', expr: { kind: 'cmp', arg: 0, mask: ARG_MASK_ALL, op: '==', value: 4095n } },
            ],
          },
        }],
      }]),
    }],
    top: null,
  };
  assert.is(printPolicy(p), 'POLICY p {\n  ALLOW {\n    mmap(addr, arg1, arg2) { (arg2 & 0x4) == 0 && addr >= 0x10000 || !(addr == 4095) }\n  }\n}\n');
  assert.is(
    printPolicy(p, { constantName: (syscall, arg, v) => (syscall === 'mmap' && arg === 0 && v === 4095n ? 'PAGE_MASK' : undefined) }).includes('!(addr == /*PAGE_MASK*/4095)'),
    true,
  );
});

t.run();
