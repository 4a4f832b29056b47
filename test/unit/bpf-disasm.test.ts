import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { parseAsm } from '../../src/bpf/asm-parse.js';
import { FORMS } from '../../src/bpf/asm-syntax.js';
import { compilePolicy } from '../../src/bpf/compile.js';
import { disassemble, inferArch } from '../../src/bpf/disasm.js';
import { decodeProgram, encodeProgram } from '../../src/bpf/encode.js';
import { BpfError } from '../../src/bpf/error.js';
import type { Insn } from '../../src/bpf/insn.js';
import { syscallName } from '../../src/syscalls/table.js';
import { makeRng, randomPolicy, testSeed } from '../helpers/bpf-random.js';

const t = suite('bpf/disasm');

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

t('encode/decode: 8-byte little-endian sock_filter', () => {
  const insns: Insn[] = [{ code: 0x15, jt: 3, jf: 250, k: 0xc000003e }, { code: 0x06, jt: 0, jf: 0, k: 0x7fff0000 }];
  const bytes = encodeProgram(insns);
  assert.equal([...bytes.slice(0, 8)], [0x15, 0x00, 3, 250, 0x3e, 0x00, 0x00, 0xc0]);
  assert.equal(decodeProgram(bytes), insns);
  assert.throws(() => decodeProgram(new Uint8Array(12)), (e: unknown) => e instanceof BpfError && e.code === 'bad-size');
});

t('every instruction form prints and assembles back to itself', () => {
  FORMS.forEach((form) => {
    const jumpy = form.operand === 'cond-k' || form.operand === 'cond-x';
    const insn: Insn = {
      code: form.code, jt: jumpy ? 2 : 0, jf: jumpy ? 1 : 0,
      k: form.operand === 'ja' ? 1 : ['x', 'a', 'none', 'len', 'cond-x'].includes(form.operand) ? 0 : form.operand === 'mem' ? 3 : 0x24,
    };
    const prog = [insn, ...Array.from({ length: 3 }, () => ({ code: 6, jt: 0, jf: 0, k: 0 }))];
    const text = disassemble(prog);
    assert.ok(!text.split('\n')[0]!.includes('.raw'), `${form.mnemonic} ${form.operand}: ${text}`);
    assert.equal(parseAsm(text), prog, text);
  });
});

t('instructions without a canonical spelling round-trip as .raw; out-of-range targets still print', () => {
  const odd: Insn[] = [{ code: 0x06, jt: 1, jf: 0, k: 5 }, { code: 0xffff, jt: 9, jf: 9, k: 1 }, { code: 0x15, jt: 200, jf: 200, k: 0 }];
  const text = disassemble(odd);
  assert.is(text.split('\n').filter((l) => l.includes('.raw')).length, 2, text);
  assert.ok(text.includes('jt 203 jf 203'), text);
  assert.equal(parseAsm(text), odd);
});

t('compiled random policies: disassembly reassembles to the same bytes', () => {
  const rng = makeRng(testSeed('bpf-disasm round trip'));
  for (let i = 0; i < 40; i++) {
    const policy = randomPolicy(rng, rng.pick(['x86_64', 'i386', 'aarch64'] as const));
    const { program } = compilePolicy(policy);
    const text = disassemble(program, { syscallName });
    assert.ok(bytesEqual(encodeProgram(parseAsm(text)), encodeProgram(program)), text);
    assert.is(inferArch(program), policy.arch);
  }
});

t('comments name the field, the arch, the syscall and the action', () => {
  const { program } = compilePolicy({
    arch: 'x86_64', defaultAction: { kind: 'errno', errno: 1 }, foreignArchAction: { kind: 'kill-process' },
    syscalls: [{ nr: 39, name: 'getpid', clauses: [{ when: null, action: { kind: 'allow' } }], widths: [64, 64, 64, 64, 64, 64] }],
  });
  const text = disassemble(program, { syscallName });
  for (const want of ['; arch', 'x86_64', '; nr', 'getpid', 'ALLOW', 'ERRNO(1)', 'KILL_PROCESS']) assert.ok(text.includes(want), `${want}\n${text}`);
});

t('assembler errors carry file:line:col', () => {
  const cases: Array<[string, RegExp]> = [
    ['ld [0]\n  bogus #1\n', /x\.asm:2:3: unknown instruction 'bogus'/],
    ['ld [0]\njeq #1 jt 0 jf 2\nret #0\n', /x\.asm:2:1: jump target 0 is not within 255/],
    ['0: ld [0]\n5: ret #0\n', /x\.asm:2:1: instruction index 5/],
    ['ret #0x100000000\n', /does not fit in 32 bits/],
    ['ld M[x]\n', /bad operands for ld/],
  ];
  for (const [text, want] of cases) {
    assert.throws(() => parseAsm(text, 'x.asm'), (e: unknown) => e instanceof InputError && want.test(e.message));
  }
});

t.run();
