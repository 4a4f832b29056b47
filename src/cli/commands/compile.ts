// `learn compile POLICY`: policy text -> seccomp filter (raw sock_filter[], C array, assembler text or JSON).
import { readFileSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Arch } from '../../abi/arch.js';
import { compilePolicy, type CompiledFilter } from '../../bpf/compile.js';
import { disassemble } from '../../bpf/disasm.js';
import { encodeProgram } from '../../bpf/encode.js';
import { formatC } from '../../bpf/format-c.js';
import { catalogForPolicy } from '../../catalog/catalogs.js';
import { includeFromFiles } from '../../catalog/include-files.js';
import { parsePolicy } from '../../catalog/parser.js';
import { formatPlace, UsageError } from '../../errors.js';
import { resolvePolicy } from '../../policy/resolve.js';
import { syscallName } from '../../syscalls/table.js';
import type { Io } from '../io.js';
import type { ActionResult } from '../program.js';
import { archOption } from './catalog.js';
import { FOLLOW_SYMLINKS_FLAG, FOLLOW_SYMLINKS_HELP, parseAction } from '../policy-options.js';
import { writeFilesAtomically } from '../../os/atomic-write.js';
import type { Action } from '../../policy/model.js';

const FORMATS = ['raw', 'c', 'asm', 'json'] as const;
type FilterFormat = (typeof FORMATS)[number];

interface CompileOptions {
  readonly output?: string;
  readonly format: FilterFormat;
  readonly arch?: string;
  readonly catalog?: string;
  readonly foreignArch: Action;
  readonly followSymlinks?: boolean;
}

export function registerCompile(program: Command, io: Io, _result: ActionResult): void {
  program
    .command('compile')
    .description('compile a policy into a seccomp BPF filter (raw for bwrap --seccomp / seccomp(2), C, asm, JSON)')
    .argument('<policy>', 'policy file in the policy language')
    .option('-o, --output <file>', 'write here instead of stdout')
    .option('--format <format>', `output format: ${FORMATS.join(', ')}`, parseFormat, 'raw' as FilterFormat)
    .option('--arch <arch>', "target arch: x86_64, i386, aarch64 (default: this machine's)")
    .option('--catalog <name|file>', 'catalog the policy USEs categories from (default: the one its header names, else default)')
    .option('--foreign-arch <action>', 'what calls from another arch (and x32) get', parseAction, { kind: 'kill-process' } as Action)
    .option(FOLLOW_SYMLINKS_FLAG, FOLLOW_SYMLINKS_HELP)
    .addHelpText('after', '\nExample:\n  learn compile nginx.policy -o nginx.bpf && bwrap --seccomp 3 ... 3<nginx.bpf\n')
    .action((file: string, o: CompileOptions) => {
      const arch = archOption(o.arch);
      const compiled = compileFile(file, arch, o, io.err);
      const s = compiled.stats;
      io.err(`learn: ${arch} filter: ${s.length} instructions, search depth ${s.searchDepth} over ${s.ranges} ranges, ${s.argBlocks} argument check${s.argBlocks === 1 ? '' : 's'}${o.output ? ` -> ${o.output}` : ''}\n`);
      const out = render(compiled, o.format, arch);
      if (o.output) writeFilesAtomically([{ path: resolve(io.cwd, o.output), data: out }], { followSymlinks: o.followSymlinks === true });
      else if (typeof out === 'string') io.out(out);
      else if (process.stdout.isTTY) throw new UsageError('raw BPF is binary: pass -o FILE, pipe stdout, or use --format asm');
      else writeSync(1, out);
    });
}

function compileFile(file: string, arch: Arch, o: CompileOptions, warn: (line: string) => void): CompiledFilter {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read policy ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const parsed = parsePolicy(text, file, { arch, include: includeFromFiles() });
  const resolved = resolvePolicy(parsed, arch, {
    catalog: catalogForPolicy(o.catalog, text),
    foreignArchAction: o.foreignArch,
    fileName: file,
    onWarning: (w) => warn(`${w.place ? `${formatPlace(w.place)}: ` : `${file}: `}warning: ${w.message}\n`),
  });
  return compilePolicy(resolved);
}

function render(compiled: CompiledFilter, format: FilterFormat, arch: Arch): string | Uint8Array {
  const { program, stats } = compiled;
  switch (format) {
    case 'raw': return encodeProgram(program);
    case 'asm': return disassemble(program, { arch, syscallName });
    case 'c': return formatC(program, disassemble(program, { arch, syscallName }));
    case 'json': return `${JSON.stringify({ arch, stats, instructions: program.map((i) => [i.code, i.jt, i.jf, i.k]) }, null, 2)}\n`;
  }
}

function parseFormat(value: string): FilterFormat {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format: '${value}' is not one of ${FORMATS.join(', ')}`);
  return value as FilterFormat;
}
