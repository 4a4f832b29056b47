// The assembler for disassembly text: `learn disasm` output (or `learn compile --format asm`) parses back
// to the same instructions. Lines are `[N:] mnemonic operands [; comment]`; jump targets are absolute.
import { InputError } from '../errors.js';
import { FORMS, type Operand } from './asm-syntax.js';
import { MAX_COND_OFFSET, type Insn } from './insn.js';

const NUM = '(0x[0-9a-fA-F]+|\\d+)';
const OPERANDS: ReadonlyArray<readonly [Operand, RegExp]> = [
  ['imm', new RegExp(`^#${NUM}$`)],
  ['len', /^#len$/],
  ['abs', new RegExp(`^\\[${NUM}\\]$`)],
  ['ind', new RegExp(`^\\[x\\s*\\+\\s*${NUM}\\]$`)],
  ['mem', new RegExp(`^M\\[${NUM}\\]$`)],
  ['msh', new RegExp(`^4\\s*\\*\\s*\\(\\[${NUM}\\]\\s*&\\s*0xf\\)$`)],
  ['x', /^x$/],
  ['a', /^a$/],
  ['none', /^$/],
  ['ja', new RegExp(`^${NUM}$`)],
  ['cond-k', new RegExp(`^#${NUM}\\s+jt\\s+${NUM}\\s+jf\\s+${NUM}$`)],
  ['cond-x', new RegExp(`^x\\s+jt\\s+${NUM}\\s+jf\\s+${NUM}$`)],
];
const RAW = new RegExp(`^\\.raw\\s+${NUM}\\s+${NUM}\\s+${NUM}\\s+${NUM}$`);

/** Parses assembler text into instructions; errors carry file:line:col. */
export function parseAsm(text: string, file = '<asm>'): Insn[] {
  const out: Insn[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/\r$/, '');
    const code = line.replace(/;.*$/, '').trim();
    if (code === '') return;
    const fail = (msg: string): never => {
      throw new InputError({ file, line: i + 1, col: line.indexOf(code) + 1, text: line }, msg);
    };
    const m = /^(?:(\d+)\s*:)?\s*(.*)$/.exec(code)!;
    if (m[1] !== undefined && Number(m[1]) !== out.length) fail(`instruction index ${m[1]} where ${out.length} was expected`);
    out.push(parseInsn(m[2]!, out.length, fail));
  });
  return out;
}

/** Parses one instruction's text (no index, no comment) at position `pc`. */
export function parseInsn(text: string, pc: number, fail: (msg: string) => never): Insn {
  const raw = RAW.exec(text);
  if (raw) {
    const [code, jt, jf, k] = raw.slice(1).map((s) => num(s!, fail));
    if (code! > 0xffff || jt! > 255 || jf! > 255) fail('.raw fields out of range (code u16, jt/jf u8)');
    return { code: code!, jt: jt!, jf: jf!, k: k! };
  }
  const [, mnemonic = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(text) ?? [];
  const forms = FORMS.filter((f) => f.mnemonic === mnemonic);
  if (forms.length === 0) fail(`unknown instruction '${mnemonic}'`);
  for (const form of forms) {
    const re = OPERANDS.find(([op]) => op === form.operand)![1];
    const mm = re.exec(rest.trim());
    if (!mm) continue;
    const n = mm.slice(1).map((s) => num(s!, fail));
    const offset = (target: number, max: number): number => {
      const off = target - pc - 1;
      if (off < 0 || off > max) fail(`jump target ${target} is not ${max === MAX_COND_OFFSET ? 'within 255 instructions ' : ''}after instruction ${pc}`);
      return off;
    };
    switch (form.operand) {
      case 'none': case 'x': case 'a': case 'len': return { code: form.code, jt: 0, jf: 0, k: 0 };
      case 'ja': return { code: form.code, jt: 0, jf: 0, k: offset(n[0]!, 0xffffffff) };
      case 'cond-k': return { code: form.code, jt: offset(n[1]!, MAX_COND_OFFSET), jf: offset(n[2]!, MAX_COND_OFFSET), k: n[0]! };
      case 'cond-x': return { code: form.code, jt: offset(n[0]!, MAX_COND_OFFSET), jf: offset(n[1]!, MAX_COND_OFFSET), k: 0 };
      default: return { code: form.code, jt: 0, jf: 0, k: n[0]! };
    }
  }
  return fail(`bad operands for ${mnemonic}: '${rest}'`);
}

function num(s: string, fail: (msg: string) => never): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) fail(`number ${s} does not fit in 32 bits`);
  return n;
}
