// A compiled filter as a C array of struct sock_filter, each line commented with its disassembly.
import type { Insn } from './insn.js';

export function formatC(insns: readonly Insn[], disasmText: string, name = 'filter'): string {
  const notes = disasmText.split('\n');
  const rows = insns.map((i, pc) => {
    const fields = `{ 0x${i.code.toString(16).padStart(2, '0')}, ${i.jt}, ${i.jf}, 0x${(i.k >>> 0).toString(16).padStart(8, '0')} },`;
    const note = (notes[pc] ?? '').replace(/\*\//g, '* /').trim();
    return `\t${fields.padEnd(34)} /* ${note} */`;
  });
  return [
    '#include <linux/filter.h>',
    '',
    `static struct sock_filter ${name}[] = {`,
    ...rows,
    '};',
    '',
    `static const struct sock_fprog ${name}_prog = {`,
    `\t.len = sizeof(${name}) / sizeof(${name}[0]),`,
    `\t.filter = ${name},`,
    '};',
    '',
  ].join('\n');
}
