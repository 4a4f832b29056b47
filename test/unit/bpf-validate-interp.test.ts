import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BpfError, type BpfErrorCode } from '../../src/bpf/error.js';
import { execute } from '../../src/bpf/interp.js';
import { jump, stmt, type Insn } from '../../src/bpf/insn.js';
import { encodeSeccompData } from '../../src/bpf/seccomp-data.js';
import { validate } from '../../src/bpf/validate.js';

const t = suite('bpf/validate+interp');

// Raw opcodes as in linux/filter.h, spelled out so the tests do not share the code under test's constants.
const LD_ABS = 0x20, LD_IMM = 0x00, LD_MEM = 0x60, LD_LEN = 0x80, LDX_IMM = 0x01, LDX_MEM = 0x61, LDX_LEN = 0x81;
const ST = 0x02, STX = 0x03, TAX = 0x07, TXA = 0x87, RET_K = 0x06, RET_A = 0x16, JA = 0x05;
const JEQ_K = 0x15, JGT_K = 0x25, JGE_K = 0x35, JSET_K = 0x45, JEQ_X = 0x1d, JGT_X = 0x2d;
const ADD_K = 0x04, SUB_K = 0x14, MUL_K = 0x24, DIV_K = 0x34, OR_K = 0x44, AND_K = 0x54, LSH_K = 0x64, RSH_K = 0x74;
const NEG = 0x84, XOR_K = 0xa4, MOD_K = 0x94, DIV_X = 0x3c, LSH_X = 0x6c, ADD_X = 0x0c;

const ERRORS: Array<{ name: string; insns: Insn[]; code: BpfErrorCode; pc: number }> = [
  { name: 'empty', insns: [], code: 'empty', pc: -1 },
  { name: 'no final ret', insns: [stmt(LD_ABS, 0)], code: 'no-return', pc: 0 },
  { name: 'unaligned load', insns: [stmt(LD_ABS, 2), stmt(RET_A)], code: 'bad-load', pc: 0 },
  { name: 'load past seccomp_data', insns: [stmt(LD_ABS, 64), stmt(RET_A)], code: 'bad-load', pc: 0 },
  { name: 'half-word load not allowed', insns: [stmt(0x28, 0), stmt(RET_A)], code: 'invalid-opcode', pc: 0 },
  { name: 'MOD not allowed in seccomp', insns: [stmt(MOD_K, 3), stmt(RET_A)], code: 'invalid-opcode', pc: 0 },
  { name: 'ret x not allowed', insns: [stmt(0x0e)], code: 'invalid-opcode', pc: 0 },
  { name: 'divide by constant 0', insns: [stmt(DIV_K, 0), stmt(RET_A)], code: 'division-by-zero', pc: 0 },
  { name: 'shift by 32', insns: [stmt(LSH_K, 32), stmt(RET_A)], code: 'bad-shift', pc: 0 },
  { name: 'M[16]', insns: [stmt(ST, 16), stmt(RET_A)], code: 'bad-memory-index', pc: 0 },
  { name: 'jump past end', insns: [jump(JEQ_K, 0, 0, 1), stmt(RET_A)], code: 'invalid-jump', pc: 0 },
  { name: 'ja past end', insns: [stmt(JA, 1), stmt(RET_A)], code: 'invalid-jump', pc: 0 },
  { name: 'memory read before write', insns: [stmt(LD_MEM, 3), stmt(RET_A)], code: 'uninitialised-memory', pc: 0 },
  {
    name: 'memory written on one path only',
    insns: [jump(JEQ_K, 0, 0, 1), stmt(ST, 1), stmt(LD_MEM, 1), stmt(RET_A)],
    code: 'uninitialised-memory', pc: 2,
  },
  { name: 'too long', insns: [...Array.from({ length: 4096 }, () => stmt(ADD_K, 1)), stmt(RET_A)], code: 'too-long', pc: -1 },
];
for (const c of ERRORS) {
  t(`validate refuses: ${c.name}`, () => {
    try {
      validate(c.insns);
      assert.unreachable('accepted');
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      assert.equal({ code: e.code, pc: e.pc }, { code: c.code, pc: c.pc });
    }
  });
}

const data = { nr: 39, arch: 0xc000003e, ip: 0x1122334455667788n, args: [0xaabbccdd00000001n, 2n, 3n, 4n, 5n, 0xffffffffffffffffn] };
const RUNS: Array<{ name: string; insns: Insn[]; verdict: number; steps?: number }> = [
  { name: 'nr', insns: [stmt(LD_ABS, 0), stmt(RET_A)], verdict: 39, steps: 2 },
  { name: 'arch', insns: [stmt(LD_ABS, 4), stmt(RET_A)], verdict: 0xc000003e },
  { name: 'ip low and high words', insns: [stmt(LD_ABS, 12), stmt(RET_A)], verdict: 0x11223344 },
  { name: 'args[0].hi', insns: [stmt(LD_ABS, 20), stmt(RET_A)], verdict: 0xaabbccdd },
  { name: 'args[5].lo', insns: [stmt(LD_ABS, 56), stmt(RET_A)], verdict: 0xffffffff },
  { name: 'len', insns: [stmt(LD_LEN), stmt(RET_A)], verdict: 64 },
  { name: 'ldx len, txa', insns: [stmt(LDX_LEN), stmt(TXA), stmt(RET_A)], verdict: 64 },
  { name: 'imm, add, sub, mul wrap', insns: [stmt(LD_IMM, 0xffffffff), stmt(ADD_K, 2), stmt(SUB_K, 3), stmt(MUL_K, 3), stmt(RET_A)], verdict: 0xfffffffa },
  { name: 'div, or, and, xor', insns: [stmt(LD_IMM, 100), stmt(DIV_K, 7), stmt(OR_K, 0x100), stmt(AND_K, 0x10f), stmt(XOR_K, 1), stmt(RET_A)], verdict: 0x10f },
  { name: 'lsh, rsh, neg', insns: [stmt(LD_IMM, 3), stmt(LSH_K, 31), stmt(RSH_K, 1), stmt(NEG), stmt(RET_A)], verdict: 0xc0000000 },
  { name: 'X shift count is masked to 5 bits', insns: [stmt(LD_IMM, 1), stmt(LDX_IMM, 33), stmt(LSH_X), stmt(RET_A)], verdict: 2 },
  { name: 'divide by X = 0 returns 0', insns: [stmt(LD_IMM, 5), stmt(LDX_IMM, 0), stmt(DIV_X), stmt(RET_K, 7)], verdict: 0, steps: 3 },
  { name: 'add x, tax', insns: [stmt(LD_IMM, 5), stmt(TAX), stmt(ADD_X), stmt(RET_A)], verdict: 10 },
  { name: 'scratch memory', insns: [stmt(LD_IMM, 9), stmt(ST, 15), stmt(LDX_IMM, 4), stmt(STX, 0), stmt(LD_MEM, 0), stmt(LDX_MEM, 15), stmt(ADD_X), stmt(RET_A)], verdict: 13 },
  { name: 'jeq taken', insns: [stmt(LD_ABS, 0), jump(JEQ_K, 39, 0, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 1, steps: 3 },
  { name: 'jgt not taken at equal', insns: [stmt(LD_ABS, 0), jump(JGT_K, 39, 0, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 2 },
  { name: 'jge taken at equal', insns: [stmt(LD_ABS, 0), jump(JGE_K, 39, 0, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 1 },
  { name: 'jset', insns: [stmt(LD_ABS, 0), jump(JSET_K, 0x20, 0, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 1 },
  { name: 'jeq x', insns: [stmt(LDX_IMM, 39), stmt(LD_ABS, 0), jump(JEQ_X, 0, 1, 0), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 2 },
  { name: 'jgt x is unsigned', insns: [stmt(LDX_IMM, 1), stmt(LD_IMM, 0x80000000), jump(JGT_X, 0, 0, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 1 },
  { name: 'ja skips', insns: [stmt(JA, 1), stmt(RET_K, 1), stmt(RET_K, 2)], verdict: 2, steps: 2 },
];
for (const c of RUNS) {
  t(`execute: ${c.name}`, () => {
    const r = execute(validate(c.insns), data);
    assert.is(r.verdict, c.verdict);
    if (c.steps !== undefined) assert.is(r.steps, c.steps);
  });
}

t('execute reads a pre-encoded seccomp_data as well, and reports argument reads', () => {
  const p = validate([stmt(LD_ABS, 16), stmt(RET_A)]);
  const r = execute(p, encodeSeccompData(data));
  assert.equal([r.verdict, r.readArgs], [1, true]);
  assert.is(execute(validate([stmt(LD_ABS, 4), stmt(RET_A)]), data).readArgs, false);
  assert.is(execute(validate([stmt(LD_ABS, 0), stmt(RET_A)]), { nr: -1, arch: 0 }).verdict, 0xffffffff);
});

t.run();
