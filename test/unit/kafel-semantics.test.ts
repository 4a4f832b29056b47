// The policy language means what Kafel means: each case of helpers/kafel-cases.ts through our evaluator
// (resolve + decide) and through the compiled filter (our BPF interpreter); e2e/kafel-kernel does the same
// in the kernel. Then the warnings, #include, and the canonical printer keeping the order.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AUDIT_ARCH } from '../../src/abi/arch.js';
import { captureIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { retToAction } from '../../src/bpf/actions.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import { execute } from '../../src/bpf/interp.js';
import { includeFromFiles } from '../../src/catalog/include-files.js';
import { parsePolicy } from '../../src/catalog/parser.js';
import { InputError, formatPlace } from '../../src/errors.js';
import { printPolicy } from '../../src/policy/emit/kafel.js';
import { decide } from '../../src/policy/eval.js';
import { resolvePolicy, type PolicyWarning } from '../../src/policy/resolve.js';
import { syscallNumber } from '../../src/syscalls/table.js';
import { KAFEL_CASES } from '../helpers/kafel-cases.js';

const t = suite('kafel/semantics');

function resolveText(text: string, arch: 'x86_64' | 'i386' | 'aarch64' = 'x86_64', warnings: PolicyWarning[] = []) {
  return resolvePolicy(parsePolicy(text, 't.policy'), arch, { fileName: 't.policy', onWarning: (w) => warnings.push(w) });
}

for (const c of KAFEL_CASES) {
  t(c.name, () => {
    const policy = resolveText(c.text);
    const { program } = compilePolicy(policy);
    for (const call of c.calls) {
      const nr = syscallNumber('x86_64', call.syscall)!;
      const label = `${call.syscall}(${call.args.join(', ')})`;
      assert.equal(decide(policy, nr, call.args), call.want, `evaluator, ${label}`);
      const ret = execute(program, { nr, arch: AUDIT_ARCH.x86_64, args: call.args }).verdict;
      assert.equal(retToAction(ret), call.want, `filter, ${label}`);
    }
    // The canonical text means the same.
    const again = resolveText(printPolicy(parsePolicy(c.text, 't.policy')));
    for (const call of c.calls) assert.equal(decide(again, syscallNumber('x86_64', call.syscall)!, call.args), call.want, `printed, ${call.syscall}`);
  });
}

t('ON guards select per arch', () => {
  const text = 'ALLOW { read ON x86_64, write ON { aarch64, arm } }\nDEFAULT ERRNO(1)';
  const arm = resolveText(text, 'aarch64');
  assert.equal(decide(arm, syscallNumber('aarch64', 'write')!, []), { kind: 'allow' });
  assert.equal(decide(arm, syscallNumber('aarch64', 'read')!, []), { kind: 'errno', errno: 1 });
});

t('a rule that can never match is a warning with both places', () => {
  const warnings: PolicyWarning[] = [];
  resolveText('POLICY a { ALLOW { read } }\nPOLICY b {\n  ERRNO(1) { read }\n}\nUSE a, b DEFAULT KILL', 'x86_64', warnings);
  assert.is(warnings.length, 1);
  const w = warnings[0]!;
  assert.is(formatPlace(w.place!), 't.policy:3:14');
  assert.match(w.message, /this ERRNO\(1\) rule for `read` can never match: .*ALLOW at t\.policy:1:20/);
  // The same action again is harmless and silent.
  const quiet: PolicyWarning[] = [];
  resolveText('ALLOW { read }\nALLOW { read, read(fd) { fd == 1 } }', 'x86_64', quiet);
  assert.equal(quiet, []);
});

t('a constant wider than a 32-bit argument: an error on x86_64, a constant result with a warning on i386', () => {
  const text = 'ALLOW { fcntl(fd) { fd == 0x100001234 }, kill(pid, sig) { sig != 0x100000000 } }\nDEFAULT ERRNO(1)';
  assert.throws(() => resolveText(text), (e: unknown) => e instanceof InputError && formatPlace(e.place) === 't.policy:1:27' && /does not fit in 32 bits/.test(e.message));
  const warnings: PolicyWarning[] = [];
  const i386 = resolveText(text, 'i386', warnings);
  assert.is(warnings.length, 2);
  assert.match(warnings[0]!.message, /on i386 `fd == 0x100001234` is always false/);
  assert.equal(decide(i386, syscallNumber('i386', 'fcntl')!, [0x1234n]), { kind: 'errno', errno: 1 });
  assert.equal(decide(i386, syscallNumber('i386', 'kill')!, [1n, 9n]), { kind: 'allow' });
});

t('#include: relative to the including file, nested, cycles and depth refused with places', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafel-include-'));
  try {
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'io.policy'), '#define STDOUT 1\n#include "more.policy"\nPOLICY io { ALLOW { write(fd) { fd == STDOUT } }, USE more }\n');
    writeFileSync(join(dir, 'lib', 'more.policy'), 'POLICY more { ALLOW { read } }\n');
    writeFileSync(join(dir, 'main.policy'), '#include "lib/io.policy"; USE io DEFAULT ERRNO(2)\n');
    const main = join(dir, 'main.policy');
    const parsed = parsePolicy('#include "lib/io.policy"; USE io DEFAULT ERRNO(2)\n', main, { include: includeFromFiles() });
    const r = resolvePolicy(parsed, 'x86_64');
    assert.equal(decide(r, 1, [1n]), { kind: 'allow' });
    assert.equal(decide(r, 1, [2n]), { kind: 'errno', errno: 2 });
    assert.equal(decide(r, 0, [7n]), { kind: 'allow' });
    // An error inside an included file points into that file.
    writeFileSync(join(dir, 'bad.policy'), 'POLICY bad {\n  ALLOW { opneat }\n}\n');
    assert.throws(() => parsePolicy('#include "bad.policy"\n', main, { include: includeFromFiles() }),
      (e: unknown) => e instanceof InputError && e.place.file.endsWith('bad.policy') && e.place.line === 2 && e.place.col === 11);
    writeFileSync(join(dir, 'a.policy'), '#include "b.policy"\n');
    writeFileSync(join(dir, 'b.policy'), '#include "a.policy"\n');
    assert.throws(() => parsePolicy('#include "a.policy"\n', main, { include: includeFromFiles() }),
      (e: unknown) => e instanceof InputError && /#include cycle: .*a\.policy → .*b\.policy → .*a\.policy/.test(e.message));
    assert.throws(() => parsePolicy('#include "missing.policy"\n', main, { include: includeFromFiles() }),
      (e: unknown) => e instanceof InputError && /cannot #include "missing.policy": ENOENT/.test(e.message) && e.place.col === 10);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t('the printer keeps the text order of USE and blocks, and top-level blocks', () => {
  const text = 'POLICY q { ALLOW { read } }\nPOLICY p { ERRNO(1) { read(fd) { fd == 0 } }, USE q, LOG { write } }\nERRNO(2) { close }\nUSE p\nDEFAULT KILL_THREAD\n';
  const printed = printPolicy(parsePolicy(text, 't'));
  assert.is(printed, 'POLICY q {\n  ALLOW {\n    read\n  }\n}\n\nPOLICY p {\n  ERRNO(1) {\n    read(fd) { fd == 0 }\n  }\n  USE q\n  LOG {\n    write\n  }\n}\n\nERRNO(2) {\n  close\n}\nUSE p DEFAULT KILL_THREAD\n');
  assert.equal(parsePolicy(printed, 't'), parsePolicy(text, 't'));
});

t('learn compile prints the never-matching rule as a warning with both places, and follows #include', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafel-cli-'));
  try {
    writeFileSync(join(dir, 'io.inc'), 'POLICY io { ALLOW { read, write } }\n');
    writeFileSync(join(dir, 'p.policy'), '#include "io.inc"\nUSE io\nERRNO(5) { read }\nDEFAULT KILL\n');
    const io = captureIo(dir);
    const code = await main(['node', 'learn', 'compile', join(dir, 'p.policy'), '--format', 'asm', '--arch', 'x86_64'], io);
    assert.is(code, 0, io.stderr());
    assert.match(io.stderr(), /p\.policy:3:12: warning: this ERRNO\(5\) rule for `read` can never match: `read` is always decided earlier \(ALLOW at .*io\.inc:1:21\)/);
    assert.match(io.stdout(), /ALLOW/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
