// The policy tools on inputs built to exhaust them (issue 11's measurements): each is refused at a
// documented limit or handled in linear time, with no stack overflow and bounded memory.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../src/catalog/parser.js';
import { InputError } from '../../src/errors.js';
import { diffPolicies } from '../../src/diff/semantic.js';
import { sideFromOciText, sideFromPolicyText } from '../../src/diff/sides.js';
import { loadCatalog } from '../../src/catalog/catalogs.js';
import { decide } from '../../src/policy/eval.js';
import { resolvePolicy } from '../../src/policy/resolve.js';

const t = suite('policy/limits');

function timed<T>(budgetMs: number, what: string, run: () => T): T {
  const started = performance.now();
  const result = run();
  const ms = performance.now() - started;
  assert.ok(ms < budgetMs, `${what} took ${ms.toFixed(0)} ms (budget ${budgetMs} ms)`);
  return result;
}

t('1,500 nested parentheses or 5,000 `!`: refused past depth 200 at the token, no stack overflow', () => {
  const parens = `ALLOW { read { ${'('.repeat(1500)}arg0 == 0${')'.repeat(1500)} } }`;
  assert.throws(() => parsePolicy(parens, 'p'), (e: unknown) => e instanceof InputError && e.place.col === 16 + 200 && /nested more than 200 levels/.test(e.message));
  const bangs = `ALLOW { read { ${'!'.repeat(5000)}(arg0 == 0) } }`;
  assert.throws(() => parsePolicy(bangs, 'p'), (e: unknown) => e instanceof InputError && /nested more than 200 levels/.test(e.message));
  // 200 is accepted.
  parsePolicy(`ALLOW { read { ${'('.repeat(200)}arg0 == 0${')'.repeat(200)} } }`, 'p');
});

t('a 20,000-long USE chain resolves without recursion', () => {
  let text = '';
  for (let i = 0; i < 20_000; i++) text += `POLICY p${i} { USE p${i + 1} }\n`;
  text += 'POLICY p20000 { ERRNO(3) { read } }\nUSE p0 DEFAULT KILL\n';
  const r = timed(5000, 'the USE chain', () => resolvePolicy(parsePolicy(text, 'p'), 'x86_64'));
  assert.equal(decide(r, 0, []), { kind: 'errno', errno: 3 });
});

t('a 50 KB unknown identifier: "did you mean" is bounded', () => {
  const text = `ALLOW { ${'x'.repeat(50_000)} }`;
  timed(1000, 'the unknown name', () => assert.throws(() => parsePolicy(text, 'p'), (e: unknown) => e instanceof InputError && /unknown syscall/.test(e.message)));
  timed(1000, 'an unknown POLICY', () => assert.throws(() => resolvePolicy(parsePolicy(`USE ${'y'.repeat(50_000)}`, 'p'), 'x86_64'), /unknown POLICY/));
});

t('3,000 conditional rules and a 3,000-term `||`: the resolver is linear', () => {
  let text = '';
  for (let i = 0; i < 3000; i++) text += `ERRNO(${1 + (i % 9)}) { read(fd) { fd == ${i} } }\n`;
  const r = timed(3000, '3,000 rules', () => resolvePolicy(parsePolicy(`${text}DEFAULT ALLOW`, 'p'), 'x86_64'));
  assert.is(r.syscalls[0]!.clauses.length, 3000);
  assert.equal(decide(r, 0, [2999n]), { kind: 'errno', errno: 1 + (2999 % 9) });
});

t('diff of a 3,000-term `||` chain and of a 20,000-entry OCI file: seconds, not minutes or gigabytes', () => {
  const catalog = loadCatalog('default');
  const chain = `ALLOW { read(fd) { ${Array.from({ length: 3000 }, (_, i) => `fd == ${i}`).join(' || ')} } }\nDEFAULT KILL\n`;
  const small = 'ALLOW { read(fd) { fd == 1 } }\nDEFAULT KILL\n';
  const before = process.memoryUsage().rss;
  const d = timed(10_000, 'diff of the chain', () => diffPolicies(sideFromPolicyText(chain, 'a', 'x86_64', catalog), sideFromPolicyText(small, 'b', 'x86_64', catalog)));
  assert.ok(JSON.stringify(d, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)).length > 0);
  assert.ok(process.memoryUsage().rss - before < 300 * 2 ** 20, 'diff grew the heap by more than 300 MB');
  const entries = Array.from({ length: 20_000 }, (_, i) => ({ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: i, op: 'SCMP_CMP_EQ' }] }));
  const oci = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: entries }, null, 1);
  const side = timed(5000, 'reading the OCI file', () => sideFromOciText(oci, 'big.json', 'x86_64'));
  timed(15_000, 'diff of the OCI file', () => diffPolicies(side, sideFromPolicyText(small, 'b', 'x86_64', catalog)));
});

t.run();
