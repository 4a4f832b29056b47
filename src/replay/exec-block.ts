// Everything seccomp() and execve() read, laid out as one block of native memory for a 64-bit little-endian
// host (x86_64, aarch64). Packing it before the filter is installed means no allocation (brk/mmap) and no
// argument conversion happens between seccomp() and execve(): both calls then take plain addresses.

export interface ExecBlockInput {
  readonly path: string;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  /** Raw `struct sock_filter[]`, a multiple of 8 bytes. */
  readonly filter: Uint8Array;
}

/** Offsets into the block of what the two calls take. */
export interface ExecBlockLayout {
  readonly size: number;
  readonly path: number;
  readonly argv: number;
  readonly env: number;
  /** `struct sock_fprog { unsigned short len; struct sock_filter *filter; }` */
  readonly prog: number;
}

const PTR = 8;
const align8 = (n: number): number => (n + 7) & ~7;

function cstrings(strings: readonly string[]): Buffer[] {
  return strings.map((s) => Buffer.from(`${s}\0`, 'utf8'));
}

/** Packs the block for the address `base` it will live at, and says where each part is. */
export function packExecBlock(input: ExecBlockInput, base: bigint): { bytes: Uint8Array; layout: ExecBlockLayout } {
  const path = cstrings([input.path])[0] as Buffer;
  const argv = cstrings(input.argv);
  const env = cstrings(input.env);
  const strings = [path, ...argv, ...env];
  const stringBytes = strings.reduce((n, b) => n + b.length, 0);

  const argvAt = align8(stringBytes);
  const envAt = argvAt + (argv.length + 1) * PTR;
  const filterAt = envAt + (env.length + 1) * PTR;
  const progAt = filterAt + align8(input.filter.length);
  const size = progAt + 2 * PTR;

  const bytes = Buffer.alloc(size);
  const addrs: bigint[] = [];
  let at = 0;
  for (const s of strings) {
    s.copy(bytes, at);
    addrs.push(base + BigInt(at));
    at += s.length;
  }
  const writeArray = (offset: number, items: readonly bigint[]): void => {
    items.forEach((a, i) => bytes.writeBigUInt64LE(a, offset + i * PTR));
    bytes.writeBigUInt64LE(0n, offset + items.length * PTR);
  };
  writeArray(argvAt, addrs.slice(1, 1 + argv.length));
  writeArray(envAt, addrs.slice(1 + argv.length));
  bytes.set(input.filter, filterAt);
  bytes.writeUInt16LE(input.filter.length / 8, progAt);
  bytes.writeBigUInt64LE(base + BigInt(filterAt), progAt + PTR);

  return { bytes, layout: { size, path: 0, argv: argvAt, env: envAt, prog: progAt } };
}
