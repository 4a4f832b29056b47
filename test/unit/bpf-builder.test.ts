import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ProgramBuilder } from '../../src/bpf/builder.js';
import { disassemble } from '../../src/bpf/disasm.js';
import { BpfError } from '../../src/bpf/error.js';
import { execute } from '../../src/bpf/interp.js';
import { BPF_ABS, BPF_ALU, BPF_ADD, BPF_JA, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, stmt } from '../../src/bpf/insn.js';
import { validate } from '../../src/bpf/validate.js';

const t = suite('bpf/builder');
const JEQ = BPF_JMP | BPF_JEQ | BPF_K;
const RET = BPF_RET | BPF_K;
const LD = BPF_LD | BPF_W | BPF_ABS;

t('labels resolve to forward offsets, compared as disassembly', () => {
  const b = new ProgramBuilder();
  const yes = b.newLabel('yes');
  const no = b.newLabel('no');
  const next = b.newLabel('next');
  b.load(0);
  b.jumpIf(JEQ, 39, yes, next);
  b.place(next);
  b.jumpIf(JEQ, 40, yes, no);
  b.place(no);
  b.emit(stmt(RET, 0));
  b.place(yes);
  b.emit(stmt(RET, 0x7fff0000));
  const squash = (s: string): string => s.replace(/ +/g, ' ');
  assert.fixture(squash(disassemble(b.finish().insns)), squash([
    '0: ld   [0]                          ; nr',
    '1: jeq  #0x27 jt 4 jf 2              ; 39',
    '2: jeq  #0x28 jt 4 jf 3              ; 40',
    '3: ret  #0x0                         ; KILL_THREAD',
    '4: ret  #0x7fff0000                  ; ALLOW',
    '',
  ].join('\n')));
});

t('backward references and unplaced labels are errors', () => {
  const b = new ProgramBuilder();
  const here = b.newLabel('here');
  b.place(here);
  b.emit(stmt(LD, 0));
  assert.throws(() => b.jumpTo(here), (e: unknown) => e instanceof BpfError && /backward/.test(e.message));
  const c = new ProgramBuilder();
  c.jumpTo(c.newLabel('nowhere'));
  assert.throws(() => c.finish(), (e: unknown) => e instanceof BpfError && /never placed/.test(e.message));
});

t('loads are skipped while A holds the word, and redone after A changes', () => {
  const b = new ProgramBuilder();
  const l = b.newLabel('l');
  const end = b.newLabel('end');
  b.load(16);
  b.load(16);
  b.jumpIf(JEQ, 1, l, l);
  b.place(l);
  b.load(16); // A still holds args[0].lo on both incoming edges
  b.loadMasked(16, 0xff);
  b.loadMasked(16, 0xf); // narrower mask: one more `and`, no reload
  b.loadMasked(16, 0xf00); // not within 0xf: reload
  b.emit(stmt(BPF_ALU | BPF_ADD | BPF_K, 1));
  b.load(16);
  b.jumpTo(end);
  b.place(end);
  b.emit(stmt(RET, 0));
  const codes = b.finish().insns.map((i) => i.code);
  assert.equal(codes.filter((c) => c === LD).length, 3, disassemble(b.finish().insns));
});

/** A jump over `filler` instructions to a ret (or to a non-ret block). */
function farProgram(filler: number, targetIsRet: boolean) {
  const b = new ProgramBuilder();
  const far = b.newLabel('far');
  const near = b.newLabel('near');
  b.load(0);
  b.jumpIf(JEQ, 7, far, near);
  b.place(near);
  for (let i = 0; i < filler; i++) b.emit(stmt(BPF_ALU | BPF_ADD | BPF_K, 1));
  b.emit(stmt(RET, 1));
  b.place(far);
  if (!targetIsRet) b.emit(stmt(BPF_LD | 0x00, 5)); // ld #5
  b.emit(stmt(RET, 2));
  return b.finish();
}

const FAR_CASES = [
  { name: 'offset 255 needs no trampoline', filler: 254, ret: true, trampolines: 0 },
  { name: 'offset 256 to a ret copies the ret', filler: 255, ret: true, trampolines: 1 },
  { name: 'offset 300 to code goes through ja', filler: 299, ret: false, trampolines: 1 },
];
for (const c of FAR_CASES) {
  t(`trampolines: ${c.name}`, () => {
    const { insns, trampolines } = farProgram(c.filler, c.ret);
    assert.is(trampolines, c.trampolines);
    const program = validate(insns);
    assert.is(execute(program, { nr: 7, arch: 0 }).verdict, 2);
    assert.is(execute(program, { nr: 8, arch: 0 }).verdict, 1);
    if (c.trampolines > 0) assert.is(insns[2]!.code, c.ret ? RET : BPF_JMP | BPF_JA);
    // A copied ret adds no step to the far path; a ja adds one.
    assert.is(execute(program, { nr: 7, arch: 0 }).steps, c.ret ? 3 : c.trampolines + 4);
  });
}

t('more than 4096 instructions are refused', () => {
  const b = new ProgramBuilder();
  for (let i = 0; i < 4096; i++) b.emit(stmt(BPF_ALU | BPF_ADD | BPF_K, 1));
  b.emit(stmt(RET, 0));
  assert.throws(() => b.finish(), (e: unknown) => e instanceof BpfError && e.code === 'too-long' && /4097 instructions/.test(e.message));
});

t('a program that can run past its end is refused', () => {
  const b = new ProgramBuilder();
  b.load(0);
  assert.throws(() => b.finish(), (e: unknown) => e instanceof BpfError && e.code === 'no-return');
});

t.run();
