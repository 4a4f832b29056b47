// struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } arrays, little-endian: what
// `bwrap --seccomp FD`, prctl(PR_SET_SECCOMP) and seccomp(2) load.
import { BpfError } from './error.js';
import type { Insn } from './insn.js';
import type { Program } from './validate.js';

export const SOCK_FILTER_SIZE = 8;

export function encodeProgram(program: Program | readonly Insn[]): Uint8Array {
  const bytes = new Uint8Array(program.length * SOCK_FILTER_SIZE);
  const view = new DataView(bytes.buffer);
  program.forEach((insn, i) => {
    const at = i * SOCK_FILTER_SIZE;
    view.setUint16(at, insn.code, true);
    view.setUint8(at + 2, insn.jt);
    view.setUint8(at + 3, insn.jf);
    view.setUint32(at + 4, insn.k >>> 0, true);
  });
  return bytes;
}

/** Decodes raw bytes into instructions (validate() them before running). */
export function decodeProgram(bytes: Uint8Array): Insn[] {
  if (bytes.length % SOCK_FILTER_SIZE !== 0) {
    throw new BpfError('bad-size', -1, `${bytes.length} bytes is not a whole number of ${SOCK_FILTER_SIZE}-byte instructions`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Insn[] = [];
  for (let at = 0; at < bytes.length; at += SOCK_FILTER_SIZE) {
    out.push({ code: view.getUint16(at, true), jt: view.getUint8(at + 2), jf: view.getUint8(at + 3), k: view.getUint32(at + 4, true) });
  }
  return out;
}
