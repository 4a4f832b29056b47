// `learn disasm FILE.bpf`: a raw filter as one instruction a line, with syscall/arch/action comments.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isArch, ARCHES } from '../../abi/arch.js';
import { disassemble } from '../../bpf/disasm.js';
import { decodeProgram } from '../../bpf/encode.js';
import { BpfError } from '../../bpf/error.js';
import { validate } from '../../bpf/validate.js';
import { UsageError } from '../../errors.js';
import { syscallName } from '../../syscalls/table.js';
import type { Io } from '../io.js';
import type { ActionResult } from '../program.js';

export function registerDisasm(program: Command, io: Io, _result: ActionResult): void {
  program
    .command('disasm')
    .description('disassemble a raw seccomp filter (struct sock_filter[]); the text assembles back to the same bytes')
    .argument('<file>', 'raw filter, e.g. from learn compile')
    .option('--arch <arch>', 'arch for syscall names (default: the AUDIT_ARCH the filter checks)')
    .action((file: string, o: { arch?: string }) => {
      if (o.arch !== undefined && !isArch(o.arch)) throw new UsageError(`unknown arch '${o.arch}': use one of ${ARCHES.join(', ')}`);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      let insns;
      try {
        insns = decodeProgram(bytes);
      } catch (error) {
        throw error instanceof BpfError ? new UsageError(`${file}: ${error.message}`) : error;
      }
      io.out(disassemble(insns, { ...(o.arch !== undefined && isArch(o.arch) ? { arch: o.arch } : {}), syscallName }));
      try {
        validate(insns);
      } catch (error) {
        if (!(error instanceof BpfError)) throw error;
        io.err(`learn: note: the kernel would refuse this filter: ${error.message}\n`);
      }
    });
}
