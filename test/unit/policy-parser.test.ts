// What the parser accepts and the IR it builds.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePolicy } from '../../src/catalog/parser.js';
import { placeOf } from '../../src/catalog/places.js';
import { ARG_MASK_ALL, blocksOf, bodyOf, usesOf, type Expr } from '../../src/policy/model.js';

const t = suite('policy/parser');

const ALL = ARG_MASK_ALL;
const cmp = (arg: number, op: string, value: bigint, mask = ALL): Expr => ({ kind: 'cmp', arg, mask, op: op as '==', value });

/** The condition of the single rule in `POLICY p { ALLOW { <rule> } }`. */
function when(rule: string, defines = ''): Expr | null {
  const p = parsePolicy(`${defines}POLICY p { ALLOW { ${rule} } }`, 't.policy');
  return blocksOf(p.defs[0]!.body)[0]!.rules[0]!.when;
}

t('the DESIGN.md example', () => {
  const p = parsePolicy(
    `// comments: // and /* */ ;  #define NAME value
POLICY NetworkSocketTcp {
  ALLOW { socket(domain, type, protocol) { (type & 0x7ff) == 1 && protocol == 0 && (domain == 2 || domain == 10) } }
}
POLICY nginx_extra { ALLOW { accept4, epoll_wait } ERRNO(1) { mincore } }
USE CRuntime, BasicIo, NetworkSocketTcp, nginx_extra DEFAULT KILL
`,
    'x.policy',
  );
  assert.equal(p.top, { body: bodyOf(['CRuntime', 'BasicIo', 'NetworkSocketTcp', 'nginx_extra'], []), defaultAction: { kind: 'kill-process' } });
  assert.equal(p.defs.map((d) => d.name), ['NetworkSocketTcp', 'nginx_extra']);
  assert.equal(p.defs[0]!.doc, ['comments: // and /* */ ;  #define NAME value']);
  const rule = blocksOf(p.defs[0]!.body)[0]!.rules[0]!;
  assert.equal(rule.params, ['domain', 'type', 'protocol']);
  assert.equal(rule.when, {
    kind: 'and',
    items: [cmp(1, '==', 1n, 0x7ffn), cmp(2, '==', 0n), { kind: 'or', items: [cmp(0, '==', 2n), cmp(0, '==', 10n)] }],
  });
  assert.equal(blocksOf(p.defs[1]!.body).map((b) => b.action), [{ kind: 'allow' }, { kind: 'errno', errno: 1 }]);
});

t('every action keyword', () => {
  const p = parsePolicy('POLICY p { ALLOW {read} LOG {write} ERRNO(4095) {close} TRAP {open} KILL {kill} KILL_PROCESS {ptrace} KILL_THREAD {tkill} USER_NOTIF {ioctl} }', 't');
  assert.equal(blocksOf(p.defs[0]!.body).map((b) => b.action), [
    { kind: 'allow' }, { kind: 'log' }, { kind: 'errno', errno: 4095 }, { kind: 'trap' },
    { kind: 'kill-process' }, { kind: 'kill-process' }, { kind: 'kill-thread' }, { kind: 'user-notif' },
  ]);
});

t('comparison operators, constants on the left are flipped', () => {
  for (const op of ['==', '!=', '<', '<=', '>', '>=']) assert.equal(when(`read(a) { a ${op} 5 }`), cmp(0, op, 5n));
  assert.equal(when('read(a) { 2 == a }'), cmp(0, '==', 2n));
  assert.equal(when('read(a) { 2 < a }'), cmp(0, '>', 2n));
  assert.equal(when('read(a) { 2 >= a }'), cmp(0, '<=', 2n));
  assert.equal(when('read(a, b) { 7 != b }'), cmp(1, '!=', 7n));
});

t('masks: either side, folded constants, bare mask means non-zero', () => {
  assert.equal(when('read(a) { (a & 0xff) == 1 }'), cmp(0, '==', 1n, 0xffn));
  assert.equal(when('read(a) { (0xff & a) == 1 }'), cmp(0, '==', 1n, 0xffn));
  assert.equal(when('read(a) { a & 0xf0 & 0x3c }'), cmp(0, '!=', 0n, 0x30n));
  assert.equal(when('read(a) { (a & (0x1 | 0x4)) == 4 }'), cmp(0, '==', 4n, 5n));
  assert.equal(when('read(a) { 1 == (a & 3) }'), cmp(0, '==', 1n, 3n));
  assert.equal(when('read(a) { a }'), cmp(0, '!=', 0n));
  // Without parentheses `&` still binds tighter than `==` (Kafel's grammar, not C's).
  assert.equal(when('read(a) { a & 0x7ff == 1 }'), cmp(0, '==', 1n, 0x7ffn));
});

t('numbers: decimal, hex, negative as 64-bit two\'s complement, the 64-bit edges', () => {
  assert.equal(when('read(a) { a == 0xFFFFFFFFFFFFFFFF }'), cmp(0, '==', ALL));
  assert.equal(when('read(a) { a == 18446744073709551615 }'), cmp(0, '==', ALL));
  assert.equal(when('read(a) { a == -100 }'), cmp(0, '==', (1n << 64n) - 100n));
  assert.equal(when('read(a) { a == -9223372036854775808 }'), cmp(0, '==', 1n << 63n));
  assert.equal(when('read(a) { a == 0 }'), cmp(0, '==', 0n));
});

t('&& binds tighter than ||, ! and parentheses, flattening', () => {
  assert.equal(when('read(a, b) { a == 1 || a == 2 && b == 3 }'), {
    kind: 'or', items: [cmp(0, '==', 1n), { kind: 'and', items: [cmp(0, '==', 2n), cmp(1, '==', 3n)] }],
  });
  assert.equal(when('read(a) { (a == 1 || a == 2) || (a == 3) }'), {
    kind: 'or', items: [cmp(0, '==', 1n), cmp(0, '==', 2n), cmp(0, '==', 3n)],
  });
  assert.equal(when('read(a) { !(a == 1) && !!(a < 3) }'), {
    kind: 'and', items: [{ kind: 'not', expr: cmp(0, '==', 1n) }, cmp(0, '<', 3n)],
  });
  // `!!x` is x: a run of `!` is read in a loop and never nests deeper than one level.
  assert.equal(when(`read(a) { ${'!'.repeat(7)}(a == 1) }`), { kind: 'not', expr: cmp(0, '==', 1n) });
  assert.equal(when('read(a) { true }'), { kind: 'true' });
});

t('#define: numbers, earlier defines, combinations; usable in ERRNO', () => {
  const p = parsePolicy('#define A 1\n#define B 0x10\n#define C (A | B)\n#define EPERM 1\nPOLICY p { ERRNO(EPERM) { read(x) { x == C } } }', 't');
  assert.equal(blocksOf(p.defs[0]!.body)[0]!.action, { kind: 'errno', errno: 1 });
  assert.equal(blocksOf(p.defs[0]!.body)[0]!.rules[0]!.when, cmp(0, '==', 0x11n));
  // The same value twice is allowed (files that share a header of constants).
  assert.not.throws(() => parsePolicy('#define A 1\n#define A 1\n', 't'));
});

t('comments anywhere; commas between POLICY items are optional; trailing comma in a rule list', () => {
  const p = parsePolicy('/* a */ POLICY /* b */ p { // c\n USE q, r, ALLOW { read, /* d */ write, }, ERRNO(1) { close } }\nPOLICY q {}\nPOLICY r {}', 't');
  const def = p.defs[0]!;
  assert.equal(usesOf(def.body), ['q', 'r']);
  assert.equal(blocksOf(def.body).map((b) => b.rules.map((r) => r.syscall)), [['read', 'write'], ['close']]);
});

t('rules are sorted by name in a block, stably', () => {
  const p = parsePolicy('POLICY p { ALLOW { write, socket(d) { d == 2 }, read, socket(d) { d == 1 } } }', 't');
  const rules = blocksOf(p.defs[0]!.body)[0]!.rules;
  assert.equal(rules.map((r) => r.syscall), ['read', 'socket', 'socket', 'write']);
  assert.equal(rules.map((r) => r.when), [null, cmp(0, '==', 2n), cmp(0, '==', 1n), null]);
});

t('header: leading // lines ended by a blank line; docs: // lines right above POLICY', () => {
  const p = parsePolicy('// head 1\n//\n//  indented\n\n// not a doc (blank below)\n\n// doc a\n// doc b\nPOLICY a {}\n// doc c\nPOLICY c {} // trailing, ignored\n', 't');
  assert.equal(p.header, ['head 1', '', ' indented']);
  assert.equal(p.defs.map((d) => d.doc), [['doc a', 'doc b'], ['doc c']]);
  const noHeader = parsePolicy('// doc only\nPOLICY a {}\n', 't');
  assert.equal(noHeader.header, []);
  assert.equal(noHeader.defs[0]!.doc, ['doc only']);
});

t('names that exist on only some arches are accepted (categories are arch-neutral)', () => {
  for (const name of ['open', 'arch_prctl', 'mmap2', '_llseek', 'socketcall']) {
    assert.not.throws(() => parsePolicy(`POLICY p { ALLOW { ${name} } }`, 't'), name);
  }
});

t('a policy with no USE line is a catalog-style file', () => {
  assert.is(parsePolicy('POLICY p { ALLOW { read } }', 't').top, null);
  assert.equal(parsePolicy('', 't'), { header: [], defs: [], top: null });
});

t('CRLF line endings', () => {
  const p = parsePolicy('// h\r\n\r\nPOLICY p {\r\n  ALLOW { read }\r\n}\r\nUSE p DEFAULT ERRNO(1)\r\n', 't');
  assert.equal(p.header, ['h']);
  assert.equal(p.top?.defaultAction, { kind: 'errno', errno: 1 });
});

t('places of defs and rules are recorded for later errors', () => {
  const p = parsePolicy('POLICY p {\n  ALLOW { read,\n    write }\n}', 'f.policy');
  assert.equal(placeOf(p.defs[0]!), { file: 'f.policy', line: 1, col: 8, text: 'POLICY p {' });
  assert.is(placeOf(blocksOf(p.defs[0]!.body)[0]!.rules[1]!)?.line, 3);
  assert.is(placeOf(blocksOf(p.defs[0]!.body)[0]!.rules[1]!)?.col, 5);
});

t('fixture policies parse', () => {
  for (const name of ['nginx-learned.policy', 'kafel-features.policy']) {
    const text = readFileSync(new URL(`../../../fixtures/policies/valid/${name}`, import.meta.url), 'utf8');
    assert.not.throws(() => parsePolicy(text, name), name);
  }
});

t.run();
