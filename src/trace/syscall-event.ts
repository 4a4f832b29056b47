import type { Arch } from '../abi/arch.js';
import type { SyscallEvent } from './events.js';
import { splitArgs } from './split-args.js';

/**
 * A SyscallEvent whose `args` are split from the call text on first use: consumers look at the arguments
 * of few calls (the argument-sensitive ones, first occurrences), and splitting every call's arguments
 * up front cost the parser about a third of its time. `args` is a getter, so object spread does not copy
 * it; JSON.stringify does (toJSON).
 */
export class ParsedSyscall implements SyscallEvent {
  readonly kind = 'syscall' as const;
  readonly pid: number;
  readonly arch: Arch;
  readonly nr: number;
  readonly name: string;
  readonly ret: string | null;
  readonly errno: string | null;
  readonly line: number;
  readonly raw: string;
  /** The call text the arguments are split from, and the index of its `(`. */
  readonly #src: string;
  readonly #open: number;
  #args: readonly string[] | undefined;

  constructor(pid: number, arch: Arch, nr: number, name: string, ret: string | null, errno: string | null,
    line: number, raw: string, src: string, open: number) {
    this.pid = pid;
    this.arch = arch;
    this.nr = nr;
    this.name = name;
    this.ret = ret;
    this.errno = errno;
    this.line = line;
    this.raw = raw;
    this.#src = src;
    this.#open = open;
  }

  get args(): readonly string[] {
    return (this.#args ??= splitArgs(this.#src, this.#open));
  }

  toJSON(): SyscallEvent {
    const { kind, pid, arch, nr, name, args, ret, errno, line, raw } = this;
    return { kind, pid, arch, nr, name, args, ret, errno, line, raw };
  }
}
