import { Command, CommanderError } from 'commander';
import { isArch, type Arch } from '../abi/arch.js';
import { UsageError } from '../errors.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';

/** The exit code a command's action wants; actions return it instead of exiting. */
export interface ActionResult {
  exitCode: number;
}

/**
 * Builds the `learn` program. Each command module adds itself; actions store their exit code in `result`.
 * Only the module of the command `argv` names is loaded (all of them for help), so start-up stays short
 * where it counts: `learn diff --baseline` in CI and `learn -- CMD`.
 */
export async function makeProgram(io: Io, result: ActionResult, argv: readonly string[]): Promise<Command> {
  const program = new Command('learn')
    .description('Learn the smallest seccomp policy a program needs from what it really does, and prove it.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride((err: CommanderError) => {
      throw err;
    });
  for (const register of await loadCommands(argv.slice(2))) register(program, io, result);
  return program;
}

/** Adds one subcommand to the program. */
export type RegisterCommand = (program: Command, io: Io, result: ActionResult) => void;

// Order here is the order `learn --help` lists them; `trace` is the default command.
const COMMANDS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  trace: async () => (await import('./commands/trace.js')).registerTrace,
  'from-strace': async () => (await import('./commands/from-strace.js')).registerFromStrace,
  runs: async () => (await import('./commands/runs.js')).registerRuns,
  show: async () => (await import('./commands/show.js')).registerShow,
  catalog: async () => (await import('./commands/catalog.js')).registerCatalog,
  'from-audit': async () => (await import('./commands/from-audit.js')).registerFromAudit,
  policy: async () => (await import('./commands/policy.js')).registerPolicy,
  diff: async () => (await import('./commands/diff.js')).registerDiff,
  report: async () => (await import('./commands/report.js')).registerReport,
  compile: async () => (await import('./commands/compile.js')).registerCompile,
  disasm: async () => (await import('./commands/disasm.js')).registerDisasm,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  check: async () => (await import('./commands/check.js')).registerCheck,
};

/** The commands `args` can reach: the one it names, the default one, or every one for help and version. */
async function loadCommands(args: readonly string[]): Promise<RegisterCommand[]> {
  const end = args.indexOf('--');
  const head = end === -1 ? args : args.slice(0, end);
  const wantsAll = head.length === 0 && end === -1 || head.some((a) => a === '-h' || a === '--help' || a === 'help' || a === '-V' || a === '--version');
  // Like commander, a command is named only by the first word: `learn --name diff -- CMD` traces CMD.
  const first = head.find((a) => a !== '--debug');
  const named = first !== undefined && Object.hasOwn(COMMANDS, first) ? first : undefined;
  const names = wantsAll ? Object.keys(COMMANDS) : [named ?? 'trace'];
  return Promise.all(names.map((n) => COMMANDS[n]!()));
}

/** Parses a whole-number option (counts, ids), for commander's argParser. */
export function parseWholeNumber(name: string) {
  return (value: string): number => {
    if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${name} must be a non-negative integer, got '${value}'`);
    return Number(value);
  };
}

/** Parses a positive number option, for commander's argParser. */
export function parsePositive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}

/** `--arch`, for commander's argParser. */
export function parseArch(value: string): Arch {
  if (!isArch(value)) throw new UsageError(`--arch must be x86_64, i386 or aarch64, got '${value}'`);
  return value;
}
