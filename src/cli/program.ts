import { Command, CommanderError } from 'commander';
import { UsageError } from '../errors.js';
import { registerCatalog } from './commands/catalog.js';
import { registerPolicy } from './commands/policy.js';
import type { Io } from './io.js';
import { VERSION } from './version.js';
import { registerFromAudit } from './commands/from-audit.js';
import { registerTrace } from './commands/trace.js';
import { registerFromStrace } from './commands/from-strace.js';
import { registerRuns } from './commands/runs.js';
import { registerShow } from './commands/show.js';
import { registerCompile } from './commands/compile.js';
import { registerDisasm } from './commands/disasm.js';
import { registerDiff } from './commands/diff.js';
import { registerReplay } from './commands/replay.js';
import { registerCheck } from './commands/check.js';

/** The exit code a command's action wants; actions return it instead of exiting. */
export interface ActionResult {
  exitCode: number;
}

/** Builds the `learn` program. Each command module adds itself; actions store their exit code in `result`. */
export function makeProgram(io: Io, result: ActionResult): Command {
  const program = new Command('learn')
    .description('Learn the smallest seccomp policy a program needs from what it really does, and prove it.')
    .version(VERSION, '-V, --version')
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride((err: CommanderError) => {
      throw err;
    });
  for (const register of COMMANDS) register(program, io, result);
  return program;
}

/** Adds one subcommand to the program. */
export type RegisterCommand = (program: Command, io: Io, result: ActionResult) => void;

// Order here is the order `learn --help` lists them.
const COMMANDS: RegisterCommand[] = [registerTrace, registerFromStrace, registerRuns, registerShow, registerCatalog, registerFromAudit, registerPolicy, registerDiff, registerCompile, registerDisasm, registerReplay, registerCheck];

/** Parses a positive number option, for commander's argParser. */
export function parsePositive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got '${value}'`);
    return n;
  };
}
