// Policies in the shapes Kafel's samples and nsjail's configs use (fixtures/kafel, written for this test)
// compile, mean what they say, and print back to text that means the same; every construct we leave out is
// refused at its place with a sentence naming it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePolicy } from '../../src/bpf/compile.js';
import { includeFromFiles } from '../../src/catalog/include-files.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { InputError, formatPlace } from '../../src/errors.js';
import { printPolicy } from '../../src/policy/emit/kafel.js';
import { decide } from '../../src/policy/eval.js';
import { resolvePolicy } from '../../src/policy/resolve.js';
import type { ResolvedPolicy } from '../../src/policy/resolved.js';
import { syscallNumber } from '../../src/syscalls/table.js';

const t = suite('kafel/samples');
const DIR = new URL('../../../fixtures/kafel/', import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.policy')).sort();

function load(file: string): ResolvedPolicy {
  const path = join(DIR, file);
  return resolvePolicy(parsePolicy(readFileSync(path, 'utf8'), path, { include: includeFromFiles() }), 'x86_64', { fileName: path });
}

const act = (p: ResolvedPolicy, name: string, ...args: number[]) => decide(p, syscallNumber('x86_64', name) ?? Number(/\d+/.exec(name)?.[0]), args.map(BigInt));

t('there are samples', () => assert.ok(FILES.length >= 10, FILES.join(' ')));

for (const file of FILES) {
  t(`${file} compiles for x86_64 and its canonical text means the same`, () => {
    const policy = load(file);
    const { program } = compilePolicy(policy);
    assert.ok(program.length > 3);
    const text = readFileSync(join(DIR, file), 'utf8');
    if (text.includes('#include')) return;
    const again = resolvePolicy(parsePolicy(printPolicy(parsePolicy(text, file)), file), 'x86_64');
    assert.equal(again, policy);
  });
}

t('what the samples mean', () => {
  const kill = { kind: 'kill-process' };
  const allow = { kind: 'allow' };
  const stdio = load('stdio-write.policy');
  assert.equal(act(stdio, 'write', 1, 5, 7), allow);
  assert.equal(act(stdio, 'write', 1, 5, 8), kill);
  assert.equal(act(stdio, 'write', 2, 0, 100), allow);
  const shell = load('nsjail-shell.policy');
  assert.equal(act(shell, 'fstat'), allow, 'newfstat is Kafel\'s name of fstat');
  assert.equal(act(shell, 'stat'), allow);
  assert.equal(act(shell, 'socket'), kill);
  const deny = load('nsjail-denylist.policy');
  assert.equal(act(deny, 'sched_setaffinity'), { kind: 'errno', errno: 1 });
  assert.equal(act(deny, 'umount2'), kill, 'umount is Kafel\'s name of umount2 on x86_64');
  assert.equal(act(deny, 'getpid'), allow);
  const layered = load('nsjail-layered.policy');
  assert.equal(act(layered, 'socket', 2, 1, 0), { kind: 'errno', errno: 97 });
  assert.equal(act(layered, 'socket', 1, 1, 0), allow);
  assert.equal(act(layered, 'socket', 1, 3, 0), { kind: 'errno', errno: 97 });
  assert.equal(act(layered, 'personality', 8), { kind: 'trap', data: 2 });
  assert.equal(act(layered, 'personality', 0), kill);
  assert.equal(act(layered, 'fstat'), allow);
  const custom = load('custom-number.policy');
  assert.equal(act(custom, 'SYSCALL[500]', 1, 2), allow);
  assert.equal(act(custom, 'SYSCALL[500]', 1, 3), kill);
  assert.equal(act(custom, 'SYSCALL[511]', 1), allow);
  assert.equal(act(custom, 'getpid'), allow);
  assert.equal(act(load('empty-allow.policy'), 'ptrace'), allow);
  assert.equal(act(load('kill-list.policy'), 'ptrace'), kill);
  const consts = load('constants.policy');
  assert.equal(act(consts, 'fchmod', 3, 0o755), allow);
  assert.equal(act(consts, 'write', 1, 1, 10), allow);
  assert.equal(act(consts, 'write', 1, 1, 11), kill);
  const vars = load('var-compare.policy');
  assert.equal(act(vars, 'write', 1, 7, 7), allow);
  assert.equal(act(vars, 'write', 7, 7, 7), kill);
  assert.equal(act(vars, 'write', 1, 6, 7), kill);
});

// Each construct Kafel has and we do not: refused at its place, in a sentence that names it.
const REFUSED: readonly { text: string; at: string; names: RegExp }[] = [
  { text: 'ALLOW { write { fd == 1 } }', at: '1:17', names: /`write` has no argument list, so its arguments are arg0\.\.arg5/ },
  { text: 'ALLOW { write(fd, buf) { (buf & fd) <= 0xc267 } }', at: '1:27', names: /`&` between two arguments is not supported/ },
  { text: 'ALLOW { write(fd) { (fd | 4) == 5 } }', at: '1:22', names: /`\|` with an argument is not supported/ },
  { text: 'TRACE(1) { write }', at: '1:1', names: /the TRACE action is not supported/ },
  { text: 'ALLOW { write } DEFAULT TRACE(2)', at: '1:25', names: /the TRACE action is not supported/ },
  { text: 'ERRNO(5000) { write }', at: '1:7', names: /ERRNO value 5000 is out of range \(0\.\.4095\)/ },
];

for (const r of REFUSED) {
  t(`refused: ${r.text}`, () => {
    assert.throws(() => resolvePolicy(parsePolicy(r.text, 'k.policy'), 'x86_64'), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.is(formatPlace(e.place), `k.policy:${r.at}`);
      assert.match(e.message, r.names);
      return true;
    });
  });
}

t.run();
